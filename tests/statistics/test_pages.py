"""The statistics page, its downloads and the cases behind a number, for each kind of viewer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditEvent
from app.services.statistics.exports import HEADER_ROWS, headers
from app.services.statistics.settings import set_population
from tests.helpers import complete, walk_in

RANGE = "from=2027-04&to=2027-06"


@pytest.fixture
def viewer(make_user):
    return make_user("bureau", "stats_viewer", ward=None)


def test_supervisor_sees_the_monthly_table_of_the_worked_example(worked_example, staff, login):
    html = login(staff["lead_worker"]).get(f"/stats/?{RANGE}").get_data(as_text=True)
    assert set(re.findall(r'<tr id="ward-(\w+)">', html)) == {"naka"}
    april = html.split('id="month-2027-04"')[1].split("</tr>")[0]
    assert '<td data-figure="per_100k.new_consultations">20.0</td>' in april
    assert '<td data-figure="targets.new_consultations">24.0</td>' in april
    june = html.split('id="month-2027-06"')[1].split("</tr>")[0]
    assert '<td data-figure="per_100k.plans">10.0</td>' in june
    assert '<td data-figure="per_100k.employment_support_targets">6.0</td>' in june
    # charts: SVG on the page, marked with shapes and numbers, no script anywhere
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 5
    assert "<script" not in html and "stroke-dasharray" in html and ">22.0</text>" in html
    # the supervisor may open the cases behind a number of the ward
    assert "/stats/cases?ward=naka&amp;month=2027-04&amp;indicator=new_consultation" in html


def test_stats_viewer_sees_every_ward_and_the_city_and_no_case(worked_example, viewer, login):
    set_population("city", 3_728_124, date(2017, 4, 1))
    page = login(viewer)
    html = page.get(f"/stats/?{RANGE}").get_data(as_text=True)
    assert len(re.findall(r'<tr id="ward-(\w+)">', html)) == 19
    assert "/stats/cases" not in html and not re.search(r"/(cases|tasks)/\d", html)
    naka = page.get(f"/stats/?ward=naka&{RANGE}").get_data(as_text=True)
    assert '<td data-figure="new_consultations">30</td>' in naka.split('id="month-2027-04"')[1]
    assert page.get("/stats/cases?ward=naka&month=2027-04&indicator=new_consultation").status_code == 403


def test_bad_range_is_a_field_error(worked_example, staff, login):
    response = login(staff["lead_worker"]).get("/stats/?from=2027-13&to=2027-06")
    assert response.status_code == 422
    assert "年月は YYYY-MM で指定してください" in response.get_data(as_text=True)


def test_other_wards_figures_are_refused(worked_example, staff, login, api):
    assert login(staff["lead_worker"]).get("/stats/monthly.csv?ward=minami&" + RANGE).status_code == 403
    response = api(staff["section_chief"]).get("/stats/monthly?ward=minami&" + RANGE)
    assert response.status_code == 403 and response.content_type == "application/problem+json"
    bad = api(staff["section_chief"]).get("/stats/monthly?ward=naka&from=2027-06&to=2027-04")
    assert bad.status_code == 422 and "to" in bad.get_json()["errors"]
    assert login(staff["caseworker"]).get("/stats/").status_code == 403


def test_cases_behind_a_number_for_the_wards_supervisor_with_a_read_event_each(worked_example, staff, login):
    before = db.session.query(AuditEvent).filter_by(event_type="case_viewed").count()
    response = login(staff["section_chief"]).get("/stats/cases?ward=naka&month=2027-05&indicator=plan")
    assert response.status_code == 200
    listed = re.findall(r'href="/cases/(\d+)"', response.get_data(as_text=True))
    assert len(listed) == 12
    db.session.expire_all()
    events = db.session.query(AuditEvent).filter_by(event_type="case_viewed").all()
    assert len(events) - before == 12
    assert {e.data["what"] for e in events} == {"stats_drill_down"}
    other = login(staff["other_ward_caseworker"]).get("/stats/cases?ward=naka&month=2027-05&indicator=plan")
    assert other.status_code == 403


def test_csv_and_xlsx_hold_the_apis_numbers(worked_example, staff, viewer, api):
    client = api(viewer)
    rows = client.get(f"/stats/monthly?{RANGE}").get_json()
    assert len(rows) == 19 * 3
    naka = [r for r in rows if r["ward"] == "naka"]
    assert [r["new_consultations"] for r in naka] == [30, 36, 33]
    assert [r["per_100k"]["new_consultations"] for r in naka] == [20.0, 24.0, 22.0]
    assert [r["per_100k"]["plans"] for r in naka] == [6.0, 8.0, 10.0]
    assert [r["per_100k"]["employment_support_targets"] for r in naka] == [4.0, 4.0, 6.0]
    assert {r["targets"]["plans"] for r in naka} == {12.0}

    text = client.get(f"/stats/monthly.csv?{RANGE}").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == headers() and table[0][3] == "新規相談受付件数"
    by_key = {(line[0], line[1]): line for line in table[1:]}
    for row in rows:
        line = by_key[(row["ward"], row["month"])]
        assert int(line[3]) == row["new_consultations"] and int(line[7]) == row["plans"]

    response = client.get(f"/stats/monthly.xlsx?{RANGE}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert len(book.sheetnames) == 19 and book.sheetnames[3] == "中区" and book.sheetnames[-1] == "横浜市（全市）"
    sheet = book["中区"]
    assert "2027年度" in sheet.cell(row=2, column=2).value
    titles = [cell.value for cell in sheet[HEADER_ROWS]]
    column = {title: i for i, title in enumerate(titles)}
    data = list(sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True))
    for line, row in zip(data, naka, strict=True):
        assert line[column["年月"]] == row["month"]
        assert line[column["新規相談受付件数"]] == row["new_consultations"]
        assert line[column["新規相談（人口10万人当たり）"]] == row["per_100k"]["new_consultations"]
        assert line[column["プラン作成件数"]] == row["plans"]
        assert line[column["就労支援対象者数"]] == row["employment_support_targets"]
        assert line[column["新規相談 目安値"]] == row["targets"]["new_consultations"]
    city = list(book["横浜市（全市）"].iter_rows(min_row=HEADER_ROWS + 1, values_only=True))
    assert [line[column["新規相談受付件数"]] for line in city] == [30, 36, 33]


def test_aggregates_name_no_person_case_or_task(app, staff, viewer, login, api, clock):
    client = login(staff["caseworker"])
    case_id = walk_in(client)
    complete(client, case_id, "intake", day=date(2026, 11, 26), person_name="匿名 確認子",
             person_kana="トクメイ カクニンコ", birth_date="1966-02-13")
    bureau = api(viewer)
    answers = [bureau.get(f"/stats/monthly?from=2026-11&to=2026-11{w}").get_data() for w in ("", "&ward=naka")]
    answers.append(bureau.get("/stats/monthly.csv?from=2026-11&to=2026-11").get_data())
    book = load_workbook(io.BytesIO(bureau.get("/stats/monthly.xlsx?from=2026-11&to=2026-11").get_data()))
    cells = [str(v) for sheet in book for line in sheet.iter_rows(values_only=True) for v in line if v is not None]
    page = login(viewer).get("/stats/?from=2026-11&to=2026-11").get_data()
    rows = [r for r in bureau.get("/stats/monthly?from=2026-11&to=2026-11&ward=naka").get_json()]
    assert rows[0]["new_consultations"] == 1
    for blob in [*answers, page, "\n".join(cells).encode()]:
        text = blob.decode("utf-8", "replace")
        for secret in ("匿名", "トクメイ", "1966-02-13", "1966", "case_id", "task_id", "/cases/", "/tasks/"):
            assert secret not in text
    assert set(rows[0]) >= {"ward", "month", "new_consultations", "plans", "employment_support_targets", "employed",
                            "employed_of_which_plan", "income_increased", "income_increased_of_which_plan",
                            "pa_referrals", "closures_by_reason", "hb_grants", "hb_refusals", "hb_extensions",
                            "per_100k", "targets"}
