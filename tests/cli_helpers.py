"""Run the real CLI in-process (fast) or as a subprocess (start-up, stdin, imports)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from scanner_app.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def cli(*args: str, stdin: str | None = None, lang: str = "en") -> Run:
    """In English unless `lang` (or a `--lang` among `args`, which wins) says otherwise: the
    messages tests read are the English sources; the Vietnamese ones are tested as such."""
    args = ("--lang", lang, *args)
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return Run(code, out.getvalue(), err.getvalue())


def cli_process(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "scanner_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return Run(result.returncode, result.stdout, result.stderr)
