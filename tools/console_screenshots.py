"""Screenshots of every console page in both languages (1366x768, and the Today page at phone
width) into docs/screenshots/console-*.png: a real hub over TLS, real scanners in three wards
(one with its clock an hour fast, one enrolled and silent), a published demo bundle.

    uv run python tools/console_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner_hub.console import auth  # noqa: E402
from tests.hub_helpers import HubServer  # noqa: E402
from tests.test_console import scanner  # noqa: E402
from tests.test_hub_sync import publish_demo_bundle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshot-pw-1"


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        keys = root / "hubkeys"
        keys.mkdir()
        with HubServer(f"sqlite:///{root / 'hub.db'}", keys, tls=True) as hub:
            auth.add_user(hub.hub.engine, "doi-cong-nghe", "city", None, PASSWORD, hub.hub.now())
            publish_demo_bundle(hub, root / "s1", sequence=1)
            scanner(hub, root / "s1", "KH-CN-01", "cam-nghia", 60)
            scanner(hub, root / "s2", "KH-CN-02", "cam-nghia", 35)
            scanner(hub, root / "s3", "KH-BN-01", "ba-ngoi", 48, shift=timedelta(hours=1))
            scanner(hub, root / "s4", "KH-CL-01", "cam-linh", 0)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                context = browser.new_context(
                    ignore_https_errors=True, viewport={"width": 1366, "height": 768}
                )
                page = context.new_page()
                for lang in ("en", "vi"):
                    page.goto(f"{hub.url}/console/lang/{lang}?back=/console/login")
                    page.screenshot(path=OUT / f"console-login-{lang}.png")
                page.fill("input[name=name]", "doi-cong-nghe")
                page.fill("input[name=password]", PASSWORD)
                with page.expect_navigation():
                    page.click("button[type=submit]")
                pages = {
                    "today": "/console/today",
                    "checkpoint": "/console/checkpoints/KH-CN-01",
                    "week": "/console/week",
                    "flags": "/console/flags",
                    "devices": "/console/devices",
                    "trust": "/console/trust",
                }
                for lang in ("vi", "en"):
                    page.goto(f"{hub.url}/console/lang/{lang}?back=/console/today")
                    for name, path in pages.items():
                        page.goto(hub.url + path)
                        if name == "devices":
                            page.fill("input[name=checkpoint_id]", "KH-CN-03")
                            page.select_option("select[name=ward]", "cam-nghia")
                            with page.expect_navigation():
                                page.click("form.grid button")
                        page.screenshot(path=OUT / f"console-{name}-{lang}.png", full_page=True)
                phone = browser.new_context(
                    ignore_https_errors=True, viewport={"width": 390, "height": 844}, device_scale_factor=1
                )
                phone.add_cookies(context.cookies())
                mobile = phone.new_page()
                mobile.goto(f"{hub.url}/console/lang/vi")
                mobile.goto(f"{hub.url}/console/today")
                mobile.screenshot(path=OUT / "console-today-phone-vi.png", full_page=True)
                browser.close()
    print(f"wrote {len(list(OUT.glob('console-*.png')))} screenshots to {OUT}")


if __name__ == "__main__":
    main()
