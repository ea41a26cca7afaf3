"""A process owner in a real browser: open the modeler, set a form key, check, save, deploy.

Drives Debian's Chromium through Playwright against the app served in a thread, CSRF on.
"""

from __future__ import annotations

import re

import pytest

from app.extensions import db

from ..browser_support import BROWSER_MARKS, OUTPUT_DIR, PASSWORD, chromium_page, live_app_with, serve

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_app(database_url):
    with live_app_with(database_url, [("owner", ["process_owner"], None, "プロセス管理者")]) as app:
        yield app


@pytest.fixture
def page(live_app):
    with serve(live_app) as base_url, chromium_page(base_url, 1600, 1000, 20_000) as page:
        yield page


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
    # It opens at a readable scale from the start; 「全体を表示」 fits the whole process in view.
    page.get_by_role("button", name="全体を表示").click()

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

    # Lanes map to roles: a lane has a Japanese name and shows its role code (the lane's "role"
    # property), which changes through the command stack.
    lane = page.locator('#canvas [data-element-id="lane_lead_worker"]').first
    expect(lane).to_contain_text("主任相談支援員")
    lane.click(position={"x": 12, "y": lane.bounding_box()["height"] / 2}, force=True)  # the lane's header strip
    expect(page.locator("#panel-lane-id")).to_have_text("lane_lead_worker")
    lane_role = page.get_by_label("レーンのロール（role）")
    expect(lane_role).to_have_value("lead_worker")
    lane_role.select_option("section_chief")
    page.locator('#canvas [data-element-id="plan"]').first.click(force=True)
    lane.click(position={"x": 12, "y": lane.bounding_box()["height"] / 2}, force=True)
    expect(lane_role).to_have_value("section_chief")  # read back from the diagram
    expect(lane).to_contain_text("主任相談支援員")  # the name stays
    page.get_by_role("button", name="元に戻す").click()
    expect(lane_role).to_have_value("lead_worker")

    # The real change: the PA request task records a progress note form instead.
    _select(page, "pa_handoff_on_request")
    expect(form_key).to_have_value("pa_handoff")
    form_key.select_option("progress_note")
    roles = page.get_by_role("group", name="担当ロール（role）")
    expect(roles.get_by_role("checkbox", name="自立相談支援員")).to_be_checked()
    expect(roles.get_by_role("checkbox", name="主任相談支援員")).not_to_be_checked()
    roles.get_by_role("checkbox", name="主任相談支援員").check()  # several roles, no Ctrl-click
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.locator("#modeler-status")).to_contain_text(re.compile(r"下書き #\d+ を保存しました"))
    page.screenshot(path=str(OUTPUT_DIR / "modeler.png"))
    page.get_by_label("変更メモ").fill("申出によるつなぎは経過記録で受ける")
    page.get_by_role("button", name="デプロイ", exact=True).click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("新しい版としてデプロイしますか")
    confirm.get_by_role("button", name="やめる").click()
    expect(confirm).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"#version-2$"))
    page.get_by_role("button", name="デプロイ", exact=True).click()
    confirm.get_by_role("button", name="デプロイする").click()

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
        from app.lifecycle.versions import current_version, spec_for
        from app.models import ProcessVersion

        latest = current_version()
        assert latest.version == 2
        assert latest.note == "申出によるつなぎは経過記録で受ける"
        xml = latest.bpmn_files["case_lifecycle.bpmn"]
        assert re.search(r'pa_handoff_on_request".*?name="formKey" value="progress_note"', xml, re.DOTALL)
        task = xml.split('id="pa_handoff_on_request"')[1].split("</bpmn:userTask>")[0]
        assert '<spiffworkflow:property name="role" value="caseworker lead_worker" />' in task
        spec_for(latest)  # the XML the modeler wrote parses
        lane = xml.split('<bpmn:lane id="lane_lead_worker" name="主任相談支援員">')[1].split("</bpmn:lane>")[0]
        assert '<spiffworkflow:property name="role" value="lead_worker" />' in lane  # the undone change is gone
        assert sorted(latest.bpmn_files) == sorted(first_files := db.session.query(ProcessVersion).filter_by(
            version=1).one().bpmn_files)  # the called processes are deployed with it, unchanged
        assert all(latest.bpmn_files[n] == first_files[n] for n in first_files if n != "case_lifecycle.bpmn")
        first = db.session.query(ProcessVersion).filter_by(version=1).one()
        assert 'value="progress_note"' not in first.bpmn_files["case_lifecycle.bpmn"]  # v1 untouched
    assert page.console_errors == []


FILES = ["case_lifecycle.bpmn", "support_phase.bpmn", "no_response.bpmn", "high_risk_response.bpmn"]


def test_each_process_file_opens_at_a_readable_zoom(page):
    """The modeler fits each diagram to the canvas; split, each is read at (nearly) full size."""
    from playwright.sync_api import expect

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/login")
    page.get_by_label("ユーザー名").fill("owner")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto("/processes/")
    for name in FILES:
        page.locator(f'a[href="/processes/versions/1/modeler?file={name}"]').click()
        expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
        expect(page.locator("#modeler-file")).to_have_text(name)
        zoom = page.evaluate("() => document.querySelector('#canvas .djs-container') && "
                             "parseFloat(getComputedStyle(document.querySelector('#canvas .viewport')).transform"
                             ".split('(')[1])")
        page.screenshot(path=str(OUTPUT_DIR / f"modeler_{name.removesuffix('.bpmn')}.png"))
        assert zoom >= 0.55, (name, zoom)  # the single diagram opened at about 0.25
        page.goto("/processes/")
    assert page.console_errors == []
