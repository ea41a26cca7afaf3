"""Case search with characters no database holds: a clear answer on the page and in the API, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("raw", ["q=%00", "q=%E5%B1%B1%00", "q=%ED%A0%80", "q=%F0%9F", "q=%uD800"])
def test_the_search_page_answers_bad_characters_without_failing(login, staff, raw):
    page = login(staff["caseworker"]).get(f"/cases/search?{raw}")
    assert page.status_code in (200, 400, 422), page.status_code
    if page.status_code != 200:
        assert "検索語" in page.get_data(as_text=True)


def test_the_search_page_names_the_problem_for_a_nul(login, staff):
    page = login(staff["caseworker"]).get("/cases/search?q=%E5%B1%B1%00")
    assert "検索語に使えない文字が含まれています" in page.get_data(as_text=True)
