"""`scanner-app gate`: the whole pipeline without a window, for turnstiles and barrier gates:
source -> decode -> verify -> decide -> log, one line per check. Ends by itself when a file
or folder source is exhausted; live sources run until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from scanner_app.cli.common import UsageError, report_usage_error, strip_line_end
from scanner_app.cli.trust_args import add_trust_arguments, setup_from_args


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("gate", help="scan continuously without a window")
    parser.add_argument(
        "--source",
        required=True,
        metavar="SRC",
        help="camera index, video file, image folder, image, stream URL, "
        "'demo', or - for codes typed on stdin (a USB 2D scanner)",
    )
    add_trust_arguments(parser)
    parser.add_argument("--json", action="store_true", help="one JSON line per check")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="decode in this process (faster start; no crash isolation)",
    )
    parser.set_defaults(func=run)


def _line(outcome: Any) -> dict[str, Any]:
    result = outcome.result
    return {
        "seq": outcome.seq,
        "format": result.verdict.format.value,
        "valid": result.valid,
        "reason": result.reason,
        "colour": result.colour.value if result.colour else None,
        "decision": result.decision.value,
        "latency_ms": round(outcome.latency_ms, 2),
        "saved": outcome.saved,
        **({"flags": list(outcome.flags)} if outcome.flags else {}),
        **({"store_error": outcome.store_error} if outcome.store_error else {}),
    }


def _emit(outcome: Any, as_json: bool) -> None:
    if outcome is None:
        return
    line = _line(outcome)
    if as_json:
        print(json.dumps(line, ensure_ascii=False), flush=True)
    else:
        print(
            f"#{line['seq']} {line['decision'].upper():6} {line['colour'] or '-':6} "
            f"{line['reason']} ({line['latency_ms']} ms)",
            flush=True,
        )


def run(args: argparse.Namespace) -> int:
    from scanner_app.app import open_recorder
    from scanner_app.scanning import ScanService
    from scanner_app.system_clock import SystemClock

    try:
        setup = setup_from_args(args)
    except UsageError as exc:
        return report_usage_error("scanner-app gate", exc)
    clock = SystemClock()
    recorder = open_recorder(setup)
    service = ScanService(
        setup.checker,
        clock,
        floor=setup.floor,
        recorder=recorder,
        cooldown_seconds=setup.settings.cooldown_seconds,
    )
    try:
        if args.source in ("-", "stdin"):
            for line in sys.stdin:
                text = strip_line_end(line)
                if text:
                    _emit(service.handle(text, clock.monotonic()), args.json)
            return 0
        return _scan_frames(args, service, clock)
    finally:
        if recorder is not None:
            recorder.close()


def _scan_frames(args: argparse.Namespace, service: Any, clock: Any) -> int:
    from scanner_app.camera.capture import CaptureLoop
    from scanner_app.camera.decode import Decoder
    from scanner_app.camera.isolation import IsolatedDecoder
    from scanner_app.camera.sources import SourceError, make_source

    try:
        make_source(args.source)  # fail fast on a missing file or folder
    except SourceError as exc:
        return report_usage_error("scanner-app gate", UsageError(str(exc)))
    decoder: Any = Decoder() if args.in_process else IsolatedDecoder()
    if isinstance(decoder, IsolatedDecoder):
        decoder.start()  # pay the child's start-up before the first frame, not during it
    loop = CaptureLoop(lambda: make_source(args.source, clock.monotonic), decoder, clock.monotonic)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    lost = False

    def on_event(event: Any) -> None:
        nonlocal lost
        if event.kind == "code":
            _emit(service.handle(event.text, event.frame.captured), args.json)
        elif event.kind in ("camera_lost", "decoder_error") or (event.kind == "camera_ok" and lost):
            lost = event.kind == "camera_lost"
            print(
                f"scanner-app gate: {event.kind.replace('_', ' ')} {event.detail}".rstrip(),
                file=sys.stderr,
                flush=True,
            )

    try:
        loop.run(stop, on_event)
    except KeyboardInterrupt:
        pass
    finally:
        loop.stop()
        if isinstance(decoder, IsolatedDecoder):
            decoder.close()
    return 0
