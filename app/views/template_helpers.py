"""Jinja filters and globals: code labels, Japanese dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, url_for
from flask_babel import get_locale, lazy_gettext

from app import codes
from app.clock import JST
from app.clock import today as clock_today

ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"))


def _locale() -> str:
    return str(get_locale() or "ja")


def code_label(list_name: str, code: str | None) -> str:
    if not code:
        return "—"
    entries = codes.CODE_LISTS.get(list_name.upper()) or {}
    entry = entries.get(code)
    return entry.get(_locale(), entry.get("ja", code)) if entry else code


# Case actions (the `actions` of the API) as buttons, page titles and timeline lines say them.
ACTION_LABELS = {
    "record_progress": lazy_gettext("支援経過を記録"),
    "request_pa_handoff": lazy_gettext("生活保護へのつなぎを申し出る"),
    "flag_risk": lazy_gettext("自死リスクを記録"),
    "correct_person": lazy_gettext("本人情報を訂正"),
    "apply_housing_benefit": lazy_gettext("住居確保給付金の申請を受け付ける"),
    "hb_report_duties": lazy_gettext("求職活動状況報告を記録"),
    "hb_apply_extension": lazy_gettext("住居確保給付金の延長申請を受け付ける"),
    "hb_report_permanent_job": lazy_gettext("常用就職届を記録"),
    "hb_report_income": lazy_gettext("収入申告を記録"),
    "hb_propose_stop": lazy_gettext("住居確保給付金の中止・停止を係長に諮る"),
}
ACTION_LABELS["record_outcome"] = lazy_gettext("就労・増収を記録")
# The statutory programmes' actions.
ACTION_LABELS.update({
    "record_eligibility": lazy_gettext("要件確認を記録"),
    "admit_shelter": lazy_gettext("一時生活支援 入所"),
    "extend_shelter": lazy_gettext("一時生活支援 延長"),
    "discharge_shelter": lazy_gettext("一時生活支援 退所"),
    "record_pa_start": lazy_gettext("生活保護の開始を記録"),
    "set_person_flags": lazy_gettext("DV・住所秘匿を設定"),
    "log_inquiry": lazy_gettext("第三者からの問い合わせを記録"),
    "record_budget": lazy_gettext("家計表を記録"),
    "record_arrears": lazy_gettext("滞納の整理を記録"),
    "refer_child": lazy_gettext("子どもの学習・生活支援につなぐ"),
})


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def task_item_label(item: str | None) -> str:
    """What a task's instance item names: a statutory service, or the benefit application it belongs to."""
    if (item or "").startswith("housing_benefit:"):
        return str(lazy_gettext("住居確保給付金"))
    return code_label("STATUTORY_SERVICES", item)


def role_labels(roles: str | None) -> str:
    return "・".join(code_label("ROLES", role) for role in (roles or "").split())


def jmonth(value: str | None) -> str:
    """A year-month ("2027-06") as pages show it: 2027年6月."""
    if not value:
        return "—"
    if _locale() == "en":
        return value
    year, month = value.split("-")
    return f"{int(year)}年{int(month)}月"


def jdate(value: date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if _locale() == "en":
        return value.isoformat()
    for start, era in ERAS:
        if value >= start:
            year = value.year - start.year + 1
            return f"{value.year}年（{era}{'元' if year == 1 else year}年）{value.month}月{value.day}日"
    return f"{value.year}年{value.month}月{value.day}日"


def jdatetime(value: datetime | str | None, english: bool | None = None) -> str:
    """A moment in Japan time (stored times are UTC; ISO text such as an export's "…Z" too)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # SQLite hands back naive datetimes; everything is stored in UTC.
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(JST)
    if english if english is not None else _locale() == "en":
        return f"{local:%Y-%m-%d %H:%M}"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


WEEKDAYS = "月火水木金土日"


def jdate_weekday(value: date | None) -> str:
    """A due date in a list: 「12月3日（木）」, with the year when it is not this year."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if _locale() == "en":
        return f"{value:%a %d %b %Y}"
    year = "" if value.year == clock_today().year else f"{value.year}年"
    return f"{year}{value.month}月{value.day}日（{WEEKDAYS[value.weekday()]}）"


def due_hint(value: date | None) -> str:
    """How far away a due date is: 今日, 明日, あと3日, 2日超過."""
    from flask_babel import gettext as _

    if value is None:
        return ""
    days = (value - clock_today()).days
    if days == 0:
        return _("今日")
    if days == 1:
        return _("明日")
    if days > 1:
        return _("あと%(n)s日", n=days)
    return _("%(n)s日超過", n=-days)


def code_choices(list_name: str) -> list[tuple[str, str]]:
    entries = codes.CODE_LISTS.get(list_name.upper()) or {}
    return [(code, entry.get(_locale(), entry.get("ja", code))) for code, entry in entries.items()]


def item_label(category: str | None) -> str:
    """Label of a data item's category (data items carry their source)."""
    from flask_babel import gettext as _

    labels = {
        "tax_arrears": _("市県民税等の滞納"), "nhi_arrears": _("国民健康保険料の滞納"),
        "water_arrears": _("水道料金の滞納"), "housing_arrears": _("市営住宅家賃の滞納"),
        "school_lunch_arrears": _("学校給食費の滞納"), "income": _("収入"), "address": _("住所"),
        "other": _("その他"),
    }
    return labels.get(category or "", category or "—")


def display_value(value, unit: str | None = None) -> str:
    """A data item's or a form field's value for a page: yen amounts with separators."""
    if isinstance(value, dict):
        amount = value.get("amount")
        text = value.get("text") or value.get("note") or ""
        if isinstance(amount, int):
            return f"{amount:,}円" + (f"（{text}）" if text else "")
        return "、".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int):
        return f"{value:,}円" if unit in (None, "yen") else f"{value:,}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "—" if value in (None, "") else str(value)


class RowLabels:
    """The labels a long list repeats on every row (a worklist has hundreds), each made once per
    page: the same text as the helpers above, without asking the locale and the clock per row."""

    def __init__(self) -> None:
        self._memo: dict[tuple, str] = {}
        self._english: bool | None = None  # the page's locale, asked on first use

    def _once(self, key: tuple, make, *args) -> str:
        if key not in self._memo:
            self._memo[key] = make(*args)
        return self._memo[key]

    def code(self, list_name: str, code: str | None) -> str:
        return self._once(("code", list_name, code), code_label, list_name, code)

    def roles(self, roles: str | None) -> str:
        return self._once(("roles", roles), role_labels, roles)

    def task_item(self, item: str | None) -> str:
        return self._once(("item", item), task_item_label, item)

    def weekday(self, value: date | None) -> str:
        return self._once(("weekday", value), jdate_weekday, value)

    def due_hint(self, value: date | None) -> str:
        return self._once(("due", value), due_hint, value)

    def moment(self, value: datetime | str | None) -> str:
        """`jdatetime`, the locale asked once per page (every row's moment differs)."""
        if self._english is None:
            self._english = _locale() == "en"
        return jdatetime(value, self._english)

    def url(self, endpoint: str, key: str, value: int, **fixed) -> str:
        """`url_for(endpoint, key=value, **fixed)` for an integer id: the route built once, the id put in."""
        pattern = self._once(("url", endpoint, key, *sorted(fixed.items())), _id_url_pattern, endpoint, key, fixed)
        return pattern.replace(_URL_ID, str(int(value))) if pattern else url_for(endpoint, **{key: value}, **fixed)


_URL_ID = "7300000000000000007"  # an id no page has, to be replaced in a built route


def _id_url_pattern(endpoint: str, key: str, fixed: dict) -> str:
    built = url_for(endpoint, **{key: int(_URL_ID)}, **fixed)
    return built if built.count(_URL_ID) == 1 else ""  # "" : build each url in full


def register(app: Flask) -> None:
    from app.access.flags import is_protected
    from app.services import processes

    def form_title(case, form_key: str) -> str:
        try:
            return processes.form_definition(case.process_version, form_key).title(_locale())
        except Exception:  # a form missing from an old version still gets a line
            return form_key

    app.jinja_env.globals.update(code_label=code_label, form_title=form_title, get_locale=get_locale,
                                 role_labels=role_labels, item_label=item_label, action_label=action_label,
                                 display_value=display_value, case_protected=is_protected,
                                 task_item_label=task_item_label, due_hint=due_hint, code_choices=code_choices,
                                 row_labels=RowLabels)
    app.jinja_env.filters.update(jdate=jdate, jdatetime=jdatetime, jmonth=jmonth, jdate_weekday=jdate_weekday)
