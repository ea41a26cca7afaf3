"""Every role, in a real browser on the demo ward: logs in, lands on its home, reaches the pages its
role allows by following links only, never meets a link that answers 403/404, and every page it
walks passes axe-core (WCAG 2.2 A/AA) at 1280 and 390 px and reflows at 320 px without a
horizontal scroll bar.  Screenshots of each page at both widths go to test-output/browser/roles/.
"""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from tests.browser_support import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, FIXED_NOW, OUTPUT_DIR, live_app_with, serve

pytestmark = BROWSER_MARKS

AXE = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor" / "axe-core" / "4.14.1" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SHOTS = OUTPUT_DIR / "roles"
# (user, the path its home answers at) — the demo's users, one per role.
ROLES = [
    ("naka_caseworker", "/"), ("naka_lead_worker", "/"), ("naka_section_chief", "/"),
    ("naka_budget_advisor", "/"), ("naka_employment_navigator", "/"), ("naka_provider", "/"),
    ("naka_mental_health", "/"), ("naka_pa_worker", "/referrals/"), ("referrer", "/referrals/"),
    ("auditor", "/audit/"), ("stats_viewer", "/stats/"), ("process_owner", "/processes/"),
]
# Links that leave the walk: downloads and machine-readable answers, not pages.
NOT_PAGES = re.compile(r"(\.csv|\.xlsx|\.pdf|\.json|\.bpmn|/xml|format=pdf|/export\.html)(\?|&|$)")
MAX_PAGES = 24


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("walk") / "walk.db"
    with live_app_with(f"sqlite:///{database}", [], clock=lambda: FIXED_NOW) as app:
        with app.app_context():
            from app.services.demo.seed import load_demo

            load_demo()
            db.session.remove()
        with serve(app) as url:
            yield url


def _shape(url: str) -> str:
    """One page per shape of address: /cases/12 and /cases/13 are the same page."""
    parts = urlsplit(url)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return re.sub(r"\d+", "N", parts.path) + ("?" + query if query else "")


def _axe(page) -> list[str]:
    result = page.evaluate(
        "async tags => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | ')); }",
        AXE_TAGS)
    return list(result)


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href], header a[href]", "els => els.map(a => a.href)")
    found = []
    for href in hrefs:
        href = href.split("#")[0]
        if href.startswith(base) and not NOT_PAGES.search(href) and "/static/" not in href:
            found.append(href)
    return found


def _walk(context, base: str, username: str, home: str) -> dict:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill("tsunagi-demo")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    report = {"home": urlsplit(page.url).path, "bad_links": [], "axe": {}, "reflow": [], "pages": []}
    queue, seen = deque([(page.url, "login")]), set()
    while queue and len(report["pages"]) < MAX_PAGES:
        url, came_from = queue.popleft()
        shape = _shape(url)
        if shape in seen:
            continue
        seen.add(shape)
        response = page.goto(url)
        if response is None or response.status >= 400:
            report["bad_links"].append(f"{url} ({response.status if response else '?'}) from {came_from}")
            continue
        report["pages"].append(shape)
        name = f"{username}_{len(report['pages']):02d}"
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.add_script_tag(path=str(AXE))
            problems = _axe(page)
            if problems:
                report["axe"][f"{shape} @{width}"] = problems
            page.screenshot(path=str(SHOTS / f"{name}_{width}.png"), full_page=True)
        page.set_viewport_size({"width": 320, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            report["reflow"].append(f"{shape}: {overflow}px wider than 320")
        page.set_viewport_size({"width": 1280, "height": 900})
        for link in _links(page, base):
            queue.append((link, shape))
    page.close()
    return report


def test_every_role_walks_its_pages_by_links_alone(demo_url):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    reports = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for username, home in ROLES:
                # axe is injected as a script: the pages' own CSP would refuse it.
                context = browser.new_context(base_url=demo_url, locale="ja-JP", bypass_csp=True,
                                              viewport={"width": 1280, "height": 900})
                context.set_default_timeout(30_000)
                reports[username] = (home, _walk(context, demo_url, username, home))
                context.close()
        finally:
            browser.close()
    (SHOTS / "walk.json").write_text(json.dumps({u: r for u, (_h, r) in reports.items()}, ensure_ascii=False,
                                                indent=1), encoding="utf-8")
    problems = []
    for username, (home, report) in reports.items():
        if report["home"] != home:
            problems.append(f"{username} landed on {report['home']}, not {home}")
        if len(report["pages"]) < 2:
            problems.append(f"{username} reached only {report['pages']}")
        problems += [f"{username}: link {bad}" for bad in report["bad_links"]]
        problems += [f"{username}: axe {where}: {v}" for where, vs in report["axe"].items() for v in vs]
        problems += [f"{username}: reflow {r}" for r in report["reflow"]]
    assert not problems, "\n".join(problems)
