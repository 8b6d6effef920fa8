"""Screenshots of the real window under Xvfb (officer, kiosk, supervisor; Vietnamese and
English) into docs/screenshots/. Needs Debian's xvfb, x11-apps/imagemagick (`import`) and
xdotool.

    uv run python tools/screenshots.py [--app "dist/scanner-app/scanner-app"]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def run_app(app: list[str], display: str, args: list[str], data: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.Popen(
        [*app, "--data-dir", str(data), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def shoot(display: str, target: Path) -> None:
    subprocess.run(["import", "-display", display, "-window", "root", str(target)], check=True)
    print(f"wrote {target.relative_to(ROOT)}")


def focus(display: str, *search: str) -> None:
    """No window manager: give a window the keyboard focus ourselves."""
    subprocess.run(
        ["xdotool", "search", "--onlyvisible", *search, "windowfocus", "--sync"],
        env={**os.environ, "DISPLAY": display},
        check=False,
        timeout=20,
    )


def key(display: str, *keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], env={**os.environ, "DISPLAY": display}, check=True)


def type_text(display: str, text: str) -> None:
    subprocess.run(
        ["xdotool", "type", "--delay", "80", text],
        env={**os.environ, "DISPLAY": display},
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", default=f"{sys.executable} -m scanner_app")
    parser.add_argument("--display", default=":98")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = args.app.split()
    xvfb = subprocess.Popen(
        ["Xvfb", args.display, "-screen", "0", "1366x768x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    try:
        for language in ("vi", "en"):
            for mode in ("officer", "kiosk", "supervisor"):
                data = Path(tempfile.mkdtemp(prefix="shots-"))
                extra = ["--demo", "--lang", language] + (["--kiosk"] if mode == "kiosk" else [])
                process = run_app(app, args.display, extra, data)
                try:
                    time.sleep(13.0)  # start-up, then the simulated camera's cards
                    if mode == "supervisor":
                        focus(args.display, "--class", "scanner")
                        key(args.display, "F9")
                        time.sleep(1.5)
                        focus(args.display, "--name", "PIN")
                        type_text(args.display, "123456")
                        key(args.display, "Return")
                        time.sleep(3.0)
                    shoot(args.display, out / f"{mode}-{language}.png")
                finally:
                    process.terminate()
                    process.wait(timeout=20)
                    shutil.rmtree(data, ignore_errors=True)
    finally:
        xvfb.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
