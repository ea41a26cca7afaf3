"""Shared pieces of the browser tests: Debian's Chromium through Playwright, the app in a thread.

Each browser test module declares its own `live_app` fixture (which users exist) with
`live_app_with(...)`, and gets a served app and a page from `serve` and `chromium_page`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = REPO_ROOT / "test-output" / "browser"
PASSWORD = "correct-horse-1"
# A fixed "now" (2026-11-26 10:00 JST) keeps dates and screenshots the same from run to run.
FIXED_NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


@contextmanager
def live_app_with(database_url: str, users: list[tuple[str, list[str], str | None, str]], clock=None):
    """An app of its own with CSRF on, a fresh schema, the process deployed and the given users.

    `users` are (username, roles, ward, display name), all with PASSWORD.
    """
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": True,
    })
    app.extensions["tsunagi.clock"] = clock or (lambda: FIXED_NOW)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from app.services.processes import deploy_from_disk
        from app.services.staff.users import create_user

        deploy_from_disk()
        db.session.commit()
        for username, roles, ward, display_name in users:
            create_user(username, roles, ward, PASSWORD, display_name=display_name)
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve the app on 127.0.0.1 (a free port picked by the OS) in a daemon thread; yields its URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tsunagi-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def chromium_page(base_url: str, width: int = 1280, height: int = 900, timeout_ms: int = 15_000):
    """A Japanese-locale page in headless Chromium.

    `page.console_errors` collects script errors, CSP violations and failed requests (≥ 400), so a
    test can assert the page ran clean.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            viewport = {"width": width, "height": height}
            context = browser.new_context(base_url=base_url, locale="ja-JP", viewport=viewport)
            context.set_default_timeout(timeout_ms)
            page = context.new_page()
            page.console_errors = []
            page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
                    and page.console_errors.append(m.text))
            page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                    and page.console_errors.append(f"{r.status} {r.url}"))
            yield page
            context.close()
        finally:
            browser.close()
