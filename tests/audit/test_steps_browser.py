"""An auditor in a real browser steps through a case on the diagram it ran on.

The case went through one plan revision (plan ×2, meeting ×2); a newer process version with a
renamed task is deployed afterwards, and the diagram must still be the case's own.  Drives
Debian's Chromium through Playwright against the app served in a thread (CSRF on, the app's
CSP: only our own scripts).  The screenshot lands in test-output/browser/.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db

from ..browser_support import BROWSER_MARKS, OUTPUT_DIR, PASSWORD, chromium_page, live_app_with, serve

DAY = date(2026, 11, 26)
RENAMED = "プラン案作成（新しい版）"
USERS = [
    ("cw", ["caseworker"], "naka", "中区 ケースワーカー"),
    ("lead", ["lead_worker"], "naka", "中区 主任"),
    ("kansa", ["auditor"], None, "監査担当"),
]

pytestmark = BROWSER_MARKS


def _revised_case() -> int:
    """A case through intake, assessment, plan → meeting (revise) → plan → meeting (approve)."""
    from app.models import HumanTask, User
    from app.services.cases.opening import start_case
    from app.services.cases.tasks import submit_task
    from app.services.demo.samples import sample

    cw = db.session.query(User).filter_by(username="cw").one()
    lead = db.session.query(User).filter_by(username="lead").one()
    case_id = start_case("naka", cw).id

    def complete(form_key, user, **overrides):
        task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open", form_key=form_key).one()
        submit_task(task.id, sample(form_key, DAY, **overrides), user)

    complete("intake", cw)
    complete("assessment", cw)
    complete("plan", cw, overall_goal="第1版の目標")
    complete("coordination_meeting", lead, decision="revise", requested_changes="就労目標を具体的に")
    complete("plan", cw, overall_goal="第2版の目標", statutory_services=["household_budget"])
    complete("coordination_meeting", lead, decision="approve")
    return case_id


def _deploy_a_newer_version() -> int:
    """Version 2: the same process with the plan task renamed (new cases would start on it)."""
    from app.lifecycle.versions import current_version
    from app.services.processes import store_version

    v1 = current_version()
    files = {name: text.replace('name="プラン案作成"', f'name="{RENAMED}"') for name, text in v1.bpmn_files.items()}
    assert files != v1.bpmn_files
    v2, created = store_version(v1.process_id, files, v1.form_definitions, None, "rename", source="test")
    assert created
    db.session.commit()
    return v2.version


@pytest.fixture
def live_app(database_url):
    with live_app_with(database_url, USERS) as app:
        with app.app_context():
            app.config["TEST_CASE_ID"] = _revised_case()
            assert _deploy_a_newer_version() == 2
            db.session.remove()
        yield app


@pytest.fixture
def page(live_app):
    with serve(live_app) as base_url, chromium_page(base_url, 1600, 1100, 20_000) as page:
        # Uncaught script exceptions count as well (console errors and failed loads are collected already).
        page.on("pageerror", lambda exc: page.console_errors.append(f"page error: {exc}"))
        yield page


def _shape(page, element_id: str):
    return page.locator(f'#step-diagram .djs-element[data-element-id="{element_id}"]')


def _badge(page, element_id: str):
    return page.locator(f'#step-diagram .djs-overlays[data-container-id="{element_id}"] .run-count')


def test_an_auditor_steps_through_a_revised_case_on_its_own_diagram(page, live_app):
    from playwright.sync_api import expect

    case_id = live_app.config["TEST_CASE_ID"]
    page.goto("/login")
    page.get_by_label("ユーザー名").fill("kansa")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"/audit/cases/{case_id}")
    page.get_by_role("link", name="図で手順をたどる").click()
    expect(page).to_have_url(re.compile(rf"/audit/cases/{case_id}/steps$"))
    diagram = page.locator("#step-diagram")
    expect(diagram).to_have_class(re.compile(r"\bdiagram-ready\b"))
    expect(page.get_by_text("case_lifecycle 版 v1")).to_be_visible()

    # The last of 7 steps (opened, intake, assessment, plan, meeting, plan, meeting).
    expect(diagram).to_have_attribute("data-step", "6")
    expect(page.locator(".step-now")).to_contain_text("手順 7 / 7")
    for ran in ("start_case", "intake", "assessment", "plan", "meeting"):
        expect(_shape(page, ran)).to_have_class(re.compile(r"\bstep-path\b"))
    expect(_shape(page, "meeting")).to_have_class(re.compile(r"\bstep-current\b"))
    expect(_shape(page, "monitoring")).to_have_class(re.compile(r"\bstep-active\b"))
    expect(_shape(page, "monitoring")).not_to_have_class(re.compile(r"\bstep-path\b"))
    expect(_badge(page, "plan")).to_have_text("×2")
    expect(_badge(page, "meeting")).to_have_text("×2")
    expect(_badge(page, "intake")).to_have_count(0)
    expect(page.locator('[data-go="next"]')).to_be_hidden()

    # The diagram is version 1's: the plan task keeps its old name, not version 2's.
    expect(_shape(page, "plan")).to_contain_text("プラン案作成")
    expect(page.locator("#step-diagram .canvas")).not_to_contain_text("新しい版")

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "audit-step-through.png"), full_page=True)

    # Previous: the second plan ran in step 5; the second meeting has not run yet (×1, waiting).
    page.locator('[data-go="previous"]').click()
    expect(diagram).to_have_attribute("data-step", "5")
    expect(page).to_have_url(re.compile(r"/steps\?step=5$"))
    expect(page.locator(".step-now")).to_have_text("手順 6 / 7：プラン案作成")
    expect(page.locator(".step-list li.current")).to_contain_text("#11 プラン案作成")
    expect(page.locator("dd.repeated")).to_contain_text("プラン案作成 ×2")
    expect(page.locator("dd.repeated")).not_to_contain_text("meeting")
    expect(_shape(page, "plan")).to_have_class(re.compile(r"\bstep-current\b"))
    expect(_shape(page, "meeting")).to_have_class(re.compile(r"\bstep-active\b"))
    expect(_badge(page, "plan")).to_have_text("×2")
    expect(_badge(page, "meeting")).to_have_count(0)
    expect(page.locator('[data-go="next"]')).to_be_visible()

    # Back three more steps: only intake and assessment have run; the plan waits, nothing repeated.
    for step in ("4", "3", "2"):
        page.locator('[data-go="previous"]').click()
        expect(diagram).to_have_attribute("data-step", step)
    expect(_shape(page, "assessment")).to_have_class(re.compile(r"\bstep-current\b"))
    expect(_shape(page, "plan")).to_have_class(re.compile(r"\bstep-active\b"))
    expect(_shape(page, "plan")).not_to_have_class(re.compile(r"\bstep-path\b"))
    expect(_shape(page, "meeting")).not_to_have_class(re.compile(r"\bstep-path\b"))
    expect(page.locator("#step-diagram .run-count")).to_have_count(0)
    expect(page.locator(".step-now")).to_have_text("手順 3 / 7：アセスメント")
    expect(page.locator("dd.repeated")).to_have_text("—")

    # Next moves forward again.
    page.locator('[data-go="next"]').click()
    expect(diagram).to_have_attribute("data-step", "3")
    expect(_shape(page, "plan")).to_have_class(re.compile(r"\bstep-current\b"))
    expect(_shape(page, "meeting")).to_have_class(re.compile(r"\bstep-active\b"))

    # The first step from the list (a full page load) has no previous button.
    page.goto(f"/audit/cases/{case_id}/steps?step=0")
    expect(diagram).to_have_class(re.compile(r"\bdiagram-ready\b"))
    expect(_shape(page, "intake")).to_have_class(re.compile(r"\bstep-active\b"))
    expect(page.locator('[data-go="previous"]')).to_be_hidden()
    page.screenshot(path=str(OUTPUT_DIR / "audit-step-through-first.png"), full_page=True)

    assert page.console_errors == []
