"""Screenshots of the real window under Xvfb, one per outcome state, in Vietnamese and English,
into docs/screenshots/ (`docs/gallery.md` shows them all). Needs Debian's xvfb, xdotool,
imagemagick (`import`) and poppler-utils (`pdftoppm`, for the PDF report's pages).

Each state is a fresh data folder and a real `scanner-app` process whose simulated camera
shows one dev-kit card (`--camera demo:FILE`), or for a two-code check (CCCD binding) the
codes one after the other; the shared-code state has the same card recorded three times
before; the supervisor view and the settings are opened with the keyboard and the PIN, as a
person would. States the simulated camera cannot reach (trust data damaged or out of date,
a log that cannot be written) are rendered offscreen in the same window class, and so are
the PIN and recovery dialogs and the supervisor's Hub tab (`DIALOGS`).

    uv run python tools/screenshots.py [--app "dist/scanner-app/scanner-app"] [--only NAME,NAME]

`--only` takes state names, comma-separated (both languages; the gallery is rewritten).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

# name, window, the card the camera shows (a dev-kit card name or a text), settings, checks recorded before
STATES: list[tuple[str, str, str | None, dict[str, object], int]] = [
    ("officer-idle", "officer", None, {}, 0),
    ("officer-allow-green", "officer", "green-2of2", {}, 0),
    ("officer-allow-yellow", "officer", "yellow-pcr", {}, 0),
    ("officer-allow-red-by-policy", "officer", "red-1of2-recent", {}, 0),
    ("officer-deny-by-policy", "officer", "yellow-1of2", {"epidemic_level": 4}, 0),
    ("officer-deny-forged", "officer", "tampered", {}, 0),
    ("officer-deny-expired", "officer", "expired", {}, 0),
    ("officer-deny-unknown-signer", "officer", "unknown-key", {}, 0),
    ("officer-deny-not-a-card", "officer", "HELLO CHECKPOINT", {}, 0),
    ("officer-manual-identity-only", "officer", "cccd-identity", {}, 0),
    ("officer-shared-code", "officer", "shared-code", {}, 3),
    # two-code binding (issue 19): the codes in order, joined by "+"; a long cooldown so the
    # simulated camera's second round is not checked again
    ("officer-identity-matched", "officer", "cccd-an+green-2of2", {"cooldown_seconds": 120}, 0),
    ("officer-identity-mismatch", "officer", "green-2of2+cccd-other", {"cooldown_seconds": 120}, 0),
    (
        "officer-identity-prompt",
        "officer",
        "green-2of2",
        {"checkpoint_type": "event", "epidemic_level": 3},
        0,
    ),
    ("kiosk-idle", "kiosk", None, {}, 0),
    ("kiosk-allow", "kiosk", "green-2of2", {}, 0),
    ("kiosk-deny", "kiosk", "tampered", {}, 0),
    ("kiosk-manual", "kiosk", "cccd-identity", {}, 0),
    ("kiosk-identity-matched", "kiosk", "cccd-an+green-2of2", {"cooldown_seconds": 120}, 0),
    ("supervisor", "supervisor", None, {}, 0),
    ("settings", "settings", None, {"result_seconds": 4}, 0),
]
OFFSCREEN = ["officer-manual-trust-damaged", "officer-manual-stale", "officer-not-saved"]
DIALOGS = ["pin-recovery", "recovery-code", "supervisor-hub-enroll-link", "supervisor-hub-bad-link"]
ENROLL_LINK = "scanner-enroll:?hub=https://hub.example:8443&hub=https://hub2.example:8443&code=K7Q2M9-ABCDEFGHJKLMNPQRSTUV"
BAD_LINK = "scanner-enroll:?hub=ftp://x&code=AB-CD"
CAPTIONS = {
    "officer-idle": "Officer, waiting: the demo banner (DEMO trust data, EXAMPLE decision table, default PIN)",
    "officer-allow-green": "A green card: allowed; name and birth date to compare with an ID card",
    "officer-allow-yellow": "A yellow card (a recent PCR test) at a level-1 road checkpoint: allowed",
    "officer-allow-red-by-policy": "A red card at a level-1 road checkpoint: allowed, and the rule that allowed it is named",
    "officer-deny-by-policy": "A yellow card at level 4: not allowed, by the rule 'only green cards'",
    "officer-deny-forged": "A forged card (signature does not match): what failed, no name, no colour",
    "officer-deny-expired": "An expired card: what failed, no name",
    "officer-deny-unknown-signer": "A card signed by a key not in the trust list: what failed, no name",
    "officer-deny-not-a-card": "A QR code that is not a card at all",
    "officer-manual-identity-only": "A chip ID card (CCCD) QR: manual check, no name from an unsigned code",
    "officer-shared-code": "The same card a fourth time within 30 minutes: flagged as a possibly shared code",
    "officer-identity-matched": "A chip ID card (CCCD) then the same person's card: allowed, 'ID card matches' in green",
    "officer-identity-mismatch": "A card then another person's CCCD: the card re-decided, not allowed, 'ID CARD DOES NOT MATCH' in red",
    "officer-identity-prompt": "An event at level 3 requires the ID card: a green card alone is a manual check that asks for the CCCD",
    "kiosk-identity-matched": "Kiosk, CCCD then card: 'Matches' and a first name, nothing else",
    "pin-recovery": "The PIN dialog when the PIN state is lost: the recovery code and a new PIN (rendered offscreen)",
    "recovery-code": "A new recovery code, shown once (rendered offscreen)",
    "supervisor-hub-enroll-link": "The hub's enrollment QR read by the camera: the Hub tab with the addresses and the code (rendered offscreen)",
    "supervisor-hub-bad-link": "A damaged enrollment link pasted in the Hub tab: explained, no code kept (rendered offscreen)",
    "officer-manual-trust-damaged": "Trust data damaged: a red bar across the window, manual check until it is imported again (rendered offscreen)",
    "officer-manual-stale": "Trust data out of date: a green card turns into a manual check (rendered offscreen)",
    "officer-not-saved": "The log cannot be written (disk full): scanning paused, the result says NOT SAVED (rendered offscreen)",
    "kiosk-idle": "Kiosk, waiting, with its privacy notice",
    "kiosk-allow": "Kiosk, allowed: the decision and a first name, nothing else",
    "kiosk-deny": "Kiosk, not allowed: what failed and 'ask the staff', no name",
    "kiosk-manual": "Kiosk, manual check: no name",
    "supervisor": "Supervisor view (F9, PIN): the day by hour, reasons with counts, flagged cards in words",
    "settings": "Settings (PIN): seconds as whole numbers, Qt's own buttons in Vietnamese",
}


def write_gallery() -> None:
    """docs/gallery.md: every state, Vietnamese beside English."""
    lines = [
        "# Gallery: every outcome state, in Vietnamese and English",
        "",
        "Taken from the real window under Xvfb at 1366×768 by `uv run python tools/screenshots.py`",
        "(the simulated camera showing one dev-kit card per state, or the codes of a two-code",
        "check one after the other; DEMO data). The states marked *rendered offscreen* are not",
        "reached by the simulated camera alone (damaged or out-of-date production trust data, a",
        "full disk, the PIN and recovery dialogs, the Hub tab); they are the same window and",
        "dialog classes rendered with QT_QPA_PLATFORM=offscreen.",
        "",
        "| state | Tiếng Việt | English |",
        "|---|---|---|",
    ]
    names = [name for name, *_ in STATES] + OFFSCREEN + DIALOGS
    for name in names:
        cells = [f"![{name} vi](screenshots/{name}-vi.png)", f"![{name} en](screenshots/{name}-en.png)"]
        lines.append(f"| {CAPTIONS[name]} | {cells[0]} | {cells[1]} |")
    lines += ["", "## The supervisor's PDF day report", "", "| Tiếng Việt | English |", "|---|---|"]
    pages = sorted(OUT.glob("report-vi-*.png"))
    for page in pages:
        english = page.name.replace("-vi-", "-en-")
        lines.append(f"| ![{page.stem}](screenshots/{page.name}) | ![{english}](screenshots/{english}) |")
    lines += [
        "",
        "First run on a freshly debootstrapped Debian 12 after the README's apt line",
        "",
        "![first run](screenshots/first-run-debian12.png)",
        "",
    ]
    (ROOT / "docs" / "gallery.md").write_text("\n".join(lines), encoding="utf-8")
    print("wrote docs/gallery.md")


def env_for(display: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def xdotool(display: str, *args: str, check: bool = True) -> None:
    subprocess.run(["xdotool", *args], env=env_for(display), check=check, timeout=60)


def shoot(display: str, target: Path) -> None:
    subprocess.run(["import", "-display", display, "-window", "root", str(target)], check=True)
    print(f"wrote {target.relative_to(ROOT)}")


def card_texts(now: datetime) -> dict[str, str]:
    from scanner_app.devkit.catalog import demo_cards, shared_card

    texts = {card.name: card.text for card in demo_cards(now)}
    texts["shared-code"] = shared_card(now).text
    # CCCD QR texts: Nguyễn Văn An's (the person of green-2of2) and another person's
    texts["cccd-an"] = "079085012345|123456789|NGUYỄN VĂN AN|12031985|Nam|12 Trần Phú, Nha Trang|01072021"
    texts["cccd-other"] = "079190054321||TRẦN THỊ BÌNH|01071990|Nữ|5 Lê Lợi, Nha Trang|01072021"
    return texts


def prepare(
    data: Path, settings: dict[str, object], card: str | None, before: int, texts: dict[str, str]
) -> Path:
    """The data folder: settings (a result stays a minute, no sounds), the checks recorded
    before, and the file of codes the simulated camera shows."""
    (data / "settings.json").write_text(json.dumps({"result_seconds": 60, "sounds": False, **settings}))
    shown = [texts.get(part, part) for part in card.split("+")] if card else []
    if before:
        record(data, shown * before)
    codes = data / "codes.txt"
    codes.write_text("".join(f"{text}\n" for text in shown), encoding="utf-8")
    return codes


def record(data: Path, queue: list[str], spread_hours: float = 0.0) -> None:
    """Checks in the log as the window would have saved them (spread over the past hours)."""
    from scanner_app.app import App

    app = App(data)
    store = app.open_store()
    checker, station = app.checker(), app.station()
    now = datetime.now(UTC)
    for number, text in enumerate(queue):
        moment = now - timedelta(hours=spread_hours) * (1 - number / max(len(queue), 1))
        result = checker.check(text, now)  # decided as now (the cards are issued now), logged earlier
        store.record(result, text, station, wall_time=moment, monotonic=float(number))
    store.close()


def a_day(data: Path, texts: dict[str, str]) -> None:
    """A morning at a checkpoint for the supervisor view: every kind of card, and the shared
    one four times."""
    names = [n for n in texts if n != "shared-code"]
    hours = max(1.0, min(10.0, datetime.now().astimezone().hour - 0.5))
    queue = [texts[names[i % len(names)]] for i in range(48)] + [texts["shared-code"]] * 4
    record(data, queue, spread_hours=hours)


def run_state(
    app: list[str],
    display: str,
    name: str,
    mode: str,
    card: str | None,
    settings: dict[str, object],
    before: int,
    language: str,
    texts: dict[str, str],
) -> None:
    data = Path(tempfile.mkdtemp(prefix="shots-"))
    try:
        codes = prepare(data, settings, card, before, texts)
        if mode == "supervisor":
            a_day(data, texts)
        extra = ["--kiosk"] if mode == "kiosk" else []
        process = subprocess.Popen(
            [*app, "--data-dir", str(data), "--lang", language, "--camera", f"demo:{codes}", *extra],
            env=env_for(display),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            xdotool(display, "search", "--sync", "--onlyvisible", "--class", "scanner")
            # each card shown and checked (3.5 s on screen, 1 s apart), the last one's outline drawn
            time.sleep(1.5 + 4.5 * len(card.split("+")) if card else 3.0)
            if mode in ("supervisor", "settings"):
                xdotool(
                    display,
                    "search",
                    "--onlyvisible",
                    "--class",
                    "scanner",
                    "windowfocus",
                    "--sync",
                    check=False,
                )
                xdotool(display, "key", "F9" if mode == "supervisor" else "ctrl+comma")
                time.sleep(1.5)
                xdotool(display, "type", "--delay", "60", "123456")
                xdotool(display, "key", "Return")
                time.sleep(4.0)
            shoot(display, OUT / f"{name}-{language}.png")
            if mode == "supervisor":
                report(data, language)
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def report(data: Path, language: str) -> None:
    """The day's PDF report, its pages as pictures."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scanner_app",
                "--data-dir",
                str(data),
                "--lang",
                language,
                "export",
                "--format",
                "pdf",
                "--out",
                str(pdf),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(pdf), str(OUT / f"report-{language}")], check=True
        )
    for page in sorted(OUT.glob(f"report-{language}-*.png")):
        print(f"wrote {page.relative_to(ROOT)}")


def offscreen(language: str) -> None:
    """The states this branch's pipeline cannot produce in a running window, rendered by the
    same window classes offscreen, with the worst banner (DEMO, EXAMPLE, default PIN)."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from tools.screenshots import _offscreen; _offscreen({language!r})"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def _trust_status(window, session, *, damaged: bool) -> None:  # type: ignore[no-untyped-def]
    """The status line and the red trust bar, as the running window shows them (no DEMO badge
    beside damaged trust data)."""
    from dataclasses import replace

    healthy = session.controller.trust
    if damaged and healthy is not None:
        session.controller.trust = replace(healthy, damaged="the trust bundle file is truncated")
    window.preview.demo = session.demo and not damaged
    window.preview.update()
    window.refresh_status()
    session.controller.trust = healthy


def _offscreen(language: str) -> None:
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from scanner_app.camera.decode import Decoder
    from scanner_app.core.model import Reason
    from scanner_app.core.record import Flag, StoreProblem
    from scanner_app.services.scan import ScanOutcome
    from scanner_app.ui.launch import build_session
    from scanner_app.ui.main_window import MainWindow
    from scanner_app.ui.theme import font

    app = QApplication([])
    app.setFont(font(11))
    data = Path(tempfile.mkdtemp(prefix="shots-"))
    args = argparse.Namespace(data_dir=str(data), demo=False, camera=None, kiosk=False)
    session = build_session(args, decoder=Decoder(), source=lambda: None)  # never started
    session.set_language(language)
    session.controller._checker(session.settings)  # the trust line and banner, as after start()
    checker = session.app.checker()
    texts = card_texts(datetime.now(UTC))
    green = checker.check(texts["green-2of2"], datetime.now(UTC))
    states = {
        "officer-manual-trust-damaged": replace(
            green,
            valid=False,
            reason=Reason.TRUST_DAMAGED,
            colour=None,
            decision=type(green.decision).MANUAL,
            allowed=None,
        ),
        "officer-manual-stale": replace(
            green,
            reason=Reason.STALE_BUNDLE,
            decision=type(green.decision).MANUAL,
            warnings=(Flag.STALE_BUNDLE,),
        ),
        "officer-not-saved": green,
    }
    from scanner_app.camera.decode import load_gray
    from scanner_app.devkit.render import write_qr_png
    from scanner_app.ui.qt_images import to_qimage

    picture = write_qr_png(texts["green-2of2"], data / "card.png", scale=6, border=8)
    image, _ = to_qimage(load_gray(picture))
    window = MainWindow(session)
    window.resize(1366, 768)
    window.show()
    window.on_camera("ok", "")
    window.preview.show_frame(image, [], "")
    for name, result in states.items():
        saved = name != "officer-not-saved"
        outcome = ScanOutcome(
            result,
            "TEXT",
            1.0,
            seq=1 if saved else None,
            saved=saved,
            store_problem=None if saved else StoreProblem.DISK_FULL,
        )
        if not saved:
            window.on_store_problem(StoreProblem.DISK_FULL)
        _trust_status(window, session, damaged=name == "officer-manual-trust-damaged")
        window.result.show_outcome(outcome)
        window.recent.load([])
        window.recent.add(outcome)
        window.counters.set_values({result.decision.value: 1})
        QApplication.processEvents()
        target = OUT / f"{name}-{language}.png"
        window.grab().save(str(target))
        print(f"wrote {target.relative_to(ROOT)} (offscreen)")
    shutil.rmtree(data, ignore_errors=True)


def dialogs(language: str, only: set[str] | None) -> None:
    """The PIN and recovery dialogs and the supervisor's Hub tab, rendered offscreen."""
    names = ",".join(n for n in DIALOGS if only is None or n in only)
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from tools.screenshots import _dialogs; _dialogs({language!r}, {names!r})"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def _dialogs(language: str, names: str) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    from scanner_app.camera.decode import Decoder
    from scanner_app.local.pin_store import recovery_code
    from scanner_app.ui.dialogs import PinDialog, RecoveryCodeDialog
    from scanner_app.ui.launch import build_session
    from scanner_app.ui.supervisor import SupervisorView
    from scanner_app.ui.theme import font

    app = QApplication([])
    app.setFont(font(11))
    data = Path(tempfile.mkdtemp(prefix="shots-"))
    args = argparse.Namespace(data_dir=str(data), demo=False, camera=None, kiosk=False)
    session = build_session(args, decoder=Decoder(), source=lambda: None)  # never started
    session.set_language(language)
    wanted = set(names.split(","))
    for name in DIALOGS:
        if name not in wanted:
            continue
        widget: QWidget
        if name == "pin-recovery":
            pins = session.pins
            pins.lost = True  # as after the PIN file was deleted on a device with records
            widget = PinDialog(pins, "supervisor", lambda kind, detail: None)
            widget.setMinimumWidth(560)
            widget.adjustSize()
        elif name == "recovery-code":
            widget = RecoveryCodeDialog(recovery_code())
        elif name == "supervisor-hub-enroll-link":
            widget = SupervisorView(session, enroll_link=ENROLL_LINK)
        else:
            widget = SupervisorView(session)
            widget.tabs.setCurrentIndex(2)
            widget.hub_url.setText(BAD_LINK)
        widget.show()
        QApplication.processEvents()
        target = OUT / f"{name}-{language}.png"
        widget.grab().save(str(target))
        print(f"wrote {target.relative_to(ROOT)} (offscreen)")
        widget.close()
    shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", default=f"{sys.executable} -m scanner_app")
    parser.add_argument("--display", default=":98")
    parser.add_argument("--only", help="only these states (names, comma-separated), in both languages")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    texts = card_texts(datetime.now(UTC))
    only = set(args.only.split(",")) if args.only else None
    xvfb = subprocess.Popen(
        ["Xvfb", args.display, "-screen", "0", "1366x768x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    try:
        for language in ("vi", "en"):
            for name, mode, card, settings, before in STATES:
                if only is None or name in only:
                    run_state(
                        args.app.split(), args.display, name, mode, card, settings, before, language, texts
                    )
            if only is None or only & set(OFFSCREEN):
                offscreen(language)
            if only is None or only & set(DIALOGS):
                dialogs(language, only)
    finally:
        xvfb.terminate()
    write_gallery()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
