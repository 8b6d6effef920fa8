"""`scanner-app gate`: the whole pipeline without a window, for turnstiles and barrier gates:
source -> decode -> verify -> decide -> log, one line per check. Ends by itself when a file
or folder source is exhausted; live sources run until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from scanner_app.cli.common import UsageError, report_usage_error, strip_line_end
from scanner_app.cli.trust_args import add_trust_arguments, setup_from_args

if TYPE_CHECKING:
    from scanner_app.app import App
    from scanner_app.services.scan import ScanOutcome, ScanService


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


def _line(outcome: ScanOutcome) -> dict[str, Any]:
    result = outcome.result
    return {
        "seq": outcome.seq,
        "format": result.verdict.format.value,
        "valid": result.valid,
        "reason": result.reason.value,
        "colour": result.colour.value if result.colour else None,
        "decision": result.decision.value,
        **({"identity": result.binding.outcome.value} if result.binding is not None else {}),
        "latency_ms": round(outcome.latency_ms, 2),
        "saved": outcome.saved,
        **({"flags": [f.value for f in outcome.flags]} if outcome.flags else {}),
        **({"store_error": outcome.store_problem.value} if outcome.store_problem else {}),
    }


def _emit(outcome: ScanOutcome | None, as_json: bool) -> None:
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
    try:
        setup = setup_from_args(args)
    except UsageError as exc:
        return report_usage_error("scanner-app gate", exc)
    app = setup.app
    try:
        store = app.open_store()
    except OSError as exc:  # StoreUnavailable: a full disk or a read-only medium
        return report_usage_error("scanner-app gate", UsageError(f"the check log cannot be written: {exc}"))
    service = app.scan_service(store, setup.checker)
    try:
        if args.source in ("-", "stdin"):
            for line in sys.stdin:
                text = strip_line_end(line)
                if text:
                    _emit(service.handle(text, app.clock.monotonic()), args.json)
            return 0
        return _scan_frames(args, app, service)
    finally:
        store.close()


def _scan_frames(args: argparse.Namespace, app: App, service: ScanService) -> int:
    from scanner_app.camera.capture import CaptureEvent, CaptureLoop, EventKind
    from scanner_app.camera.frames import SourceError

    try:
        open_source, _ = app.frame_source(args.source)
        open_source()  # fail fast on a missing file or folder
    except SourceError as exc:
        return report_usage_error("scanner-app gate", UsageError(str(exc)))
    decoder = app.decoder(isolated=not args.in_process)
    loop = CaptureLoop(open_source, decoder, app.clock.monotonic)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    lost = False

    def on_event(event: CaptureEvent) -> None:
        nonlocal lost
        if event.kind is EventKind.CODE:
            assert event.frame is not None
            frame = event.frame
            _emit(service.handle(event.text, frame.captured, media_time=frame.media_time), args.json)
        elif event.kind in (EventKind.CAMERA_LOST, EventKind.DECODER_ERROR) or (
            event.kind is EventKind.CAMERA_OK and lost
        ):
            lost = event.kind is EventKind.CAMERA_LOST
            print(
                f"scanner-app gate: {event.kind.value.replace('_', ' ')} {event.detail}".rstrip(),
                file=sys.stderr,
                flush=True,
            )

    try:
        loop.run(stop, on_event)
    except KeyboardInterrupt:
        pass
    finally:
        loop.stop()
        decoder.close()
    return 0
