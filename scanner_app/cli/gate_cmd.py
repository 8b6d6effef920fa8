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
from scanner_app.text.i18n import QT_TRANSLATE_NOOP, Say, Translate, speaker
from scanner_app.text.messages import colour_text, decision_text, reason_text

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


def _emit(outcome: ScanOutcome | None, as_json: bool, translate: Translate) -> None:
    """One line per check: JSON codes for machines, else the officer's words (the chosen
    language), with the colour only for a card that verified."""
    if outcome is None:
        return
    line = _line(outcome)
    if as_json:
        print(json.dumps(line, ensure_ascii=False), flush=True)
        return
    colour = colour_text(line["colour"], translate) if line["colour"] and line["valid"] else "—"
    print(
        f"#{line['seq']} {decision_text(line['decision'], translate)} · {colour} · "
        f"{reason_text(line['reason'], translate)} ({line['latency_ms']} ms)",
        flush=True,
    )


_CAMERA_NEWS = {
    "camera_lost": QT_TRANSLATE_NOOP("Cli", "camera lost"),
    "camera_ok": QT_TRANSLATE_NOOP("Cli", "camera back"),
    "decoder_error": QT_TRANSLATE_NOOP("Cli", "the decoder stopped and was restarted"),
}


def run(args: argparse.Namespace) -> int:
    try:
        setup = setup_from_args(args)
    except UsageError as exc:
        return report_usage_error("scanner-app gate", exc)
    app = setup.app
    say = speaker(getattr(args, "lang", None))
    try:
        store = app.open_store()
    except OSError as exc:  # StoreUnavailable: a full disk or a read-only medium
        problem = say(QT_TRANSLATE_NOOP("Cli", "the check log cannot be written: %1"), exc)
        return report_usage_error("scanner-app gate", UsageError(problem))
    service = app.scan_service(store, setup.checker)
    try:
        if args.source in ("-", "stdin"):
            for line in sys.stdin:
                text = strip_line_end(line)
                if text:
                    _emit(service.handle(text, app.clock.monotonic()), args.json, say.translate)
            return 0
        return _scan_frames(args, app, service, say)
    finally:
        store.close()


def _scan_frames(args: argparse.Namespace, app: App, service: ScanService, say: Say) -> int:
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
            outcome = service.handle(event.text, frame.captured, media_time=frame.media_time)
            _emit(outcome, args.json, say.translate)
        elif event.kind in (EventKind.CAMERA_LOST, EventKind.DECODER_ERROR) or (
            event.kind is EventKind.CAMERA_OK and lost
        ):
            lost = event.kind is EventKind.CAMERA_LOST
            news = say(_CAMERA_NEWS[event.kind.value])
            print(
                f"scanner-app gate: {news} {event.detail}".rstrip(),
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
