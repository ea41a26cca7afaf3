"""In a real browser: a caseworker flags a high suicide risk on the case page, the response tasks
appear at once, and the employment navigator's view of the same case shows none of it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from app import create_app
from app.extensions import db
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT_DIR, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def live_app(database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False})
    app.extensions["tsunagi.clock"] = lambda: datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 JST
    with app.app_context():
        db.drop_all()
        db.create_all()
        from app.services.processes import deploy_from_disk
        from app.services.users import create_user

        deploy_from_disk()
        db.session.commit()
        create_user("cw", ["caseworker"], "naka", PASSWORD, display_name="中区 ケースワーカー")
        create_user("navi", ["employment_navigator"], "naka", PASSWORD, display_name="中区 就労支援員")
        db.session.remove()
        client = app.test_client()
        assert client.post("/login", data={"username": "cw", "password": PASSWORD}).status_code == 302
        from tests.helpers import complete, walk_in

        case_id = walk_in(client)
        complete(client, case_id, "intake", new_person=True)
        db.session.remove()
    app.config["CASE_ID"] = case_id
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def base_url(live_app):
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def browser_context(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield lambda: browser.new_context(base_url=base_url, locale="ja-JP",
                                              viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def _login(context, username):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    return page


def test_caseworker_flags_high_risk_and_the_navigator_sees_nothing_of_it(live_app, browser_context):
    from playwright.sync_api import expect

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    case_id = live_app.config["CASE_ID"]
    page = _login(browser_context(), "cw")
    page.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="自死リスクを記録").click()
    page.locator('input[name="level"][value="high"]').check()
    page.locator('input[name="indicators"][value="ideation"]').check()
    page.locator('input[name="observed_at"]').fill("2026-11-26T09:30")
    page.locator('textarea[name="note"]').fill("面談中に死にたいと話した")
    page.get_by_role("button", name="記録する").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    risk = page.locator("section.risk")
    expect(risk.get_by_role("heading", level=2)).to_contain_text("自死リスク")
    expect(risk).to_contain_text("高")
    expect(risk).to_contain_text("死にたい気持ちの表明")
    expect(risk).to_contain_text("未確認")
    tasks = page.locator("ul.tasks")
    for name in ("自死リスク（高）の確認", "精神保健福祉担当へのつなぎ", "自死リスク（高）後の連絡"):
        expect(tasks).to_contain_text(name)
    page.screenshot(path=str(OUTPUT_DIR / "risk_flag_case_page.png"), full_page=True)

    page.get_by_role("link", name="ケース検索").click()
    page.get_by_label("氏名・フリガナ・ケース番号").fill("よこはま")
    page.get_by_role("button", name="検索").click()
    expect(page.locator("table.search-results")).to_contain_text("自死リスク 高")

    # The navigator holds no task on this case: the case does not exist for them, and nothing leaks.
    navi = _login(browser_context(), "navi")
    navi.goto(f"/cases/{case_id}")
    expect(navi.locator("body")).not_to_contain_text("自死")
    expect(navi.get_by_role("link", name="ケース検索")).to_have_count(0)
