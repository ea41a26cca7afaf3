"""A process owner in a real browser: open the modeler, set a form key, check, save, deploy.

Drives Debian's Chromium through Playwright against the app served in a thread, CSRF on.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--disable-component-update", "--disable-sync"]
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output" / "browser"
PASSWORD = "correct-horse-1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def live_app(database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": True})
    app.extensions["tsunagi.clock"] = lambda: datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from app.services.processes import deploy_from_disk
        from app.services.users import create_user

        deploy_from_disk()
        db.session.commit()
        create_user("owner", ["process_owner"], None, PASSWORD, display_name="プロセス管理者")
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(live_app):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}", locale="ja-JP",
                                          viewport={"width": 1600, "height": 1000})
            context.set_default_timeout(20_000)
            page = context.new_page()
            page.console_errors = []
            # CSP violations and script errors show up here; failed loads are checked by URL below.
            page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
                    and page.console_errors.append(m.text))
            page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                    and page.console_errors.append(f"{r.status} {r.url}"))
            yield page
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _select(page, element_id: str) -> None:
    page.locator(f'#canvas [data-element-id="{element_id}"]').first.click(force=True)
    from playwright.sync_api import expect

    expect(page.locator("#panel-element-id")).to_have_text(element_id)


def test_owner_sets_a_form_key_checks_saves_and_deploys(page, live_app):
    from playwright.sync_api import expect

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    page.get_by_label("ユーザー名").fill("owner")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("link", name="プロセス管理").click()
    expect(page.get_by_role("heading", level=1, name="プロセス管理")).to_be_visible()
    page.locator("#version-1").get_by_role("link", name="モデラーで開く").click()

    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays visible

    # A task without a form key fails the check, and the page marks it on the diagram.
    _select(page, "plan")
    form_key = page.get_by_label("フォーム（formKey）")
    expect(form_key).to_have_value("plan")
    form_key.select_option("")
    page.get_by_role("button", name="チェック").click()
    expect(page.locator("#problems li.error").filter(has_text="[plan]")).to_have_count(1)
    expect(page.locator('#canvas [data-element-id="plan"].check-error')).to_have_count(1)
    expect(page.locator("#modeler-status")).to_contain_text("デプロイできない問題")

    # Undo goes through the command stack: the form key is back.
    page.get_by_role("button", name="元に戻す").click()
    _select(page, "plan")
    expect(form_key).to_have_value("plan")

    # Lanes map to roles: a lane shows its role code and changes it through the command stack.
    lane = page.locator('#canvas [data-element-id="lane_lead_worker"]').first
    lane.click(position={"x": 12, "y": lane.bounding_box()["height"] / 2}, force=True)  # the lane's header strip
    expect(page.locator("#panel-lane-id")).to_have_text("lane_lead_worker")
    lane_role = page.get_by_label("レーンのロール（name）")
    expect(lane_role).to_have_value("lead_worker")
    lane_role.select_option("section_chief")
    expect(lane).to_contain_text("section_chief")
    page.get_by_role("button", name="元に戻す").click()
    expect(lane).to_contain_text("lead_worker")
    expect(lane_role).to_have_value("lead_worker")

    # The real change: the PA request task records a progress note form instead.
    _select(page, "pa_handoff_on_request")
    expect(form_key).to_have_value("pa_handoff")
    form_key.select_option("progress_note")
    roles = page.get_by_label("担当ロール（role）")
    expect(roles).to_have_values(["caseworker"])
    roles.select_option(["caseworker", "lead_worker"])  # candidate roles: a dropdown of the role codes
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.locator("#modeler-status")).to_contain_text(re.compile(r"下書き #\d+ を保存しました"))
    page.screenshot(path=str(OUTPUT_DIR / "modeler.png"))
    page.get_by_label("変更メモ").fill("申出によるつなぎは経過記録で受ける")
    page.get_by_role("button", name="デプロイ").click()

    expect(page).to_have_url(re.compile(r"/processes/#version-2$"))
    row = page.locator("#version-2")
    expect(row).to_contain_text("申出によるつなぎは経過記録で受ける")
    expect(row).to_contain_text("プロセス管理者")
    expect(page.get_by_role("status").filter(has_text="版 2 をデプロイしました")).to_be_visible()
    page.screenshot(path=str(OUTPUT_DIR / "modeler_deployed.png"), full_page=True)

    # The diff between v1 and v2 names the changed task and marks it on the new diagram.
    row.get_by_role("link", name="前の版との差分").click()
    changed = page.locator("section.diff-changed")
    expect(changed).to_contain_text("pa_handoff_on_request")
    expect(changed).to_contain_text("extensions")
    expect(page.locator("body[data-diff-ready=true]")).to_have_count(1)
    expect(page.locator('#diff-new [data-element-id="pa_handoff_on_request"].diff-changed')).to_have_count(1)
    page.screenshot(path=str(OUTPUT_DIR / "version_diff.png"), full_page=True)

    with live_app.app_context():
        from app.models import ProcessVersion
        from app.services.processes import current_version, spec_for

        latest = current_version()
        assert latest.version == 2
        assert latest.note == "申出によるつなぎは経過記録で受ける"
        xml = latest.bpmn_files["case_lifecycle.bpmn"]
        assert re.search(r'pa_handoff_on_request".*?name="formKey" value="progress_note"', xml, re.DOTALL)
        task = xml.split('id="pa_handoff_on_request"')[1].split("</bpmn:userTask>")[0]
        assert '<spiffworkflow:property name="role" value="caseworker lead_worker" />' in task
        spec_for(latest)  # the XML the modeler wrote parses
        assert '<bpmn:lane id="lane_lead_worker" name="lead_worker">' in xml  # the undone lane change is gone
        first = db.session.query(ProcessVersion).filter_by(version=1).one()
        assert 'value="progress_note"' not in first.bpmn_files["case_lifecycle.bpmn"]  # v1 untouched
    assert page.console_errors == []
