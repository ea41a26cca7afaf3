"""Masking a case's personal data for one viewer, the same way at every door.

The rules are in ``app/access/privacy.py`` (the privacy matrix, consent scopes, the NHI switch);
this module applies them to what the doors render: the case page and ``GET /cases/<id>``
(``case_data``), task pages (``case_data`` + ``mask_form_data`` for prefill), auditor exports and
pages (``mask_form_data``, ``mask_event_data``), the event list of the API, and search results
(``search_result``).  A hidden data item is left out; a hidden field of a form keeps its name and
shows ``MASK`` instead of its value.  The suicide-risk flag, its tasks and its events are left
out altogether for viewers who may not see it (auditors see that they happened, not what they say).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.access.flags import flags_of, is_protected
from app.access.privacy import MASK, OWNER_BASES, access_basis, item_of_source, meeting_may_show, visible_items
from app.clock import iso_date, iso_datetime
from app.errors import NotFound
from app.extensions import db
from app.lifecycle import registry
from app.lifecycle.risk import RISK_TASK_IDS
from app.lifecycle.versions import form_definition
from app.models import Case, DataItem, FormSubmission, HumanTask, PersonFlags, RiskFlag, User

# The forms, fields and tasks that hold the suicide-risk flag, as the lifecycle's steps declare them.
RISK_FORMS = registry.sensitive_forms()
RISK_FIELDS = registry.sensitive_fields()
RISK_EVENTS = {"risk_flagged", "risk_acknowledged", "risk_referred"}
ARREARS_SECTIONS = {"water", "municipal_housing", "school_lunch"}
# Forms whose latest values the case page and the API show (fields mapped to a data item only).
SHOWN_FORMS = ("intake", "assessment")


@dataclass(frozen=True)
class Viewer:
    user: User
    case: Case
    basis: str | None
    items: frozenset[str]

    def sees(self, item: str | None) -> bool:
        return item is None or item in self.items


def viewer_for(user: User, case: Case) -> Viewer:
    basis = access_basis(user, case)
    return Viewer(user, case, basis, visible_items(user, case, basis))


MEETING_FORMS = {"coordination_meeting"}


def for_task(viewer: Viewer, form_key: str) -> Viewer:
    """A meeting's pages and packs show only what a meeting may see (never the risk flag; tax by consent)."""
    if form_key not in MEETING_FORMS:
        return viewer
    items = frozenset(item for item in viewer.items if meeting_may_show(viewer.case, item))
    return Viewer(viewer.user, viewer.case, viewer.basis, items)


def visible_prefill(viewer: Viewer, form_key: str, values: dict | None) -> dict:
    shown, hidden = mask_form_data(viewer, form_key, values)
    return {key: value for key, value in shown.items() if key not in hidden}


# -- which item a form field is ------------------------------------------------------------
def _definition(case: Case, form_key: str):
    try:
        return form_definition(case.process_version, form_key)
    except NotFound:
        return None


def field_item(form_key: str, name: str, fdef=None, data: dict | None = None) -> str | None:
    """The privacy item a submitted field holds (None: not one of the masked items)."""
    if form_key in RISK_FORMS or name in RISK_FIELDS:
        return "suicide_risk"
    source_from = getattr(fdef, "source_from", None)
    if source_from:
        section = (data or {}).get(source_from)
        if section is None:
            return "tax_arrears"  # the source is not known here: treat it as the strictest
        if section in ARREARS_SECTIONS:
            return "other_arrears"
        return item_of_source(section) or "income"
    source = getattr(fdef, "source", None)
    if source in ("tax", "nhi"):
        return item_of_source(source)
    if name == "tax_arrears":
        return "tax_arrears"
    if name in ("address", "safe_address"):
        return "address"
    if getattr(fdef, "sensitivity", None) == "financial" or name in ("monthly_income", "assets", "incomes"):
        return "income"
    return None


def mask_form_data(viewer: Viewer, form_key: str, data: dict | None) -> tuple[dict, list[str]]:
    """The form's values with every field the viewer may not see replaced by MASK, and their names.

    Risk fields are left out altogether (the flag is invisible), except for auditors, who see
    that they were filled in.
    """
    definition = _definition(viewer.case, form_key)
    shown, hidden = {}, []
    for name, value in (data or {}).items():
        fdef = definition.field(name) if definition is not None and definition.has_field(name) else None
        item = field_item(form_key, name, fdef, data)
        if viewer.sees(item):
            shown[name] = value
        elif item == "suicide_risk" and viewer.basis != "auditor":
            continue
        else:
            shown[name] = MASK
            hidden.append(name)
    return shown, hidden


def mask_diff(viewer: Viewer, diff):
    """An auditor's data difference with the values the viewer may not see masked."""
    for change in diff.changes:
        fdef = None
        definition = _definition(viewer.case, change.form_key) if change.form_key != "case" else None
        if definition is not None and definition.has_field(change.field):
            fdef = definition.field(change.field)
        if change.form_key != "case" and not viewer.sees(field_item(change.form_key, change.field, fdef)):
            change.before = MASK if change.before is not None else None
            change.after = MASK if change.after is not None else None
    return diff


# -- events ------------------------------------------------------------------------------
def _is_risk_event(event_type: str, data: dict) -> bool:
    return (
        event_type in RISK_EVENTS
        or data.get("action") == "flag_risk"
        or data.get("form_key") in RISK_FORMS
        or data.get("bpmn_id") in RISK_TASK_IDS
    )


def mask_event_data(viewer: Viewer, event_type: str, data: dict | None) -> dict | None:
    """An audit event's data as the viewer may see it; None when the event must not be shown at all."""
    data = dict(data or {})
    sees_risk = viewer.sees("suicide_risk")
    if not sees_risk and _is_risk_event(event_type, data):
        if viewer.basis != "auditor":
            return None
        return {key: data[key] for key in ("action", "bpmn_id", "form_key", "task_id", "submission_id")
                if key in data}
    if not sees_risk and isinstance(data.get("outcome"), dict):
        outcome = dict(data["outcome"])
        outcome["ready"] = [r for r in outcome.get("ready") or [] if r and r[0] not in RISK_TASK_IDS]
        data["outcome"] = outcome
    engine_input = data.get("engine_input")
    if isinstance(engine_input, dict) and data.get("form_key"):
        masked, _hidden = mask_form_data(viewer, data["form_key"], engine_input.get("data"))
        data["engine_input"] = {**engine_input, "data": masked}
    return data


# -- the case's data for one viewer ---------------------------------------------------------
def visible_tasks(viewer: Viewer, tasks: list[HumanTask]) -> list[HumanTask]:
    if viewer.sees("suicide_risk"):
        return list(tasks)
    return [task for task in tasks if task.bpmn_id not in RISK_TASK_IDS and task.form_key not in RISK_FORMS]


def _data_items(viewer: Viewer) -> list[dict]:
    case = viewer.case
    query = db.session.query(DataItem).filter(
        (DataItem.case_id == case.id) | ((DataItem.person_id == case.person_id) & DataItem.case_id.is_(None))
        if case.person_id else DataItem.case_id == case.id
    )
    shown = []
    for item in query.order_by(DataItem.recorded_at, DataItem.id):
        if not viewer.sees(item_of_source(item.source, item.category) or "assessment"):
            continue
        shown.append({
            "data_item_id": item.id, "category": item.category, "source": item.source, "value": item.value,
            "note": item.note, "recorded_at": item.recorded_at,
        })
    return shown


def _recorded_values(viewer: Viewer, submissions: list[FormSubmission] | None = None) -> list[dict]:
    """The latest intake and assessment values that are masked items, as far as the viewer sees them;
    `submissions`: every submission of the case, when the caller has read them."""
    values = []
    if submissions is None:
        submissions = (db.session.query(FormSubmission)
                       .filter(FormSubmission.case_id == viewer.case.id, FormSubmission.form_key.in_(SHOWN_FORMS))
                       .all())
    latest: dict[str, FormSubmission] = {}  # the newest submission of each shown form
    for submission in sorted(submissions, key=lambda s: s.id, reverse=True):
        if submission.form_key in SHOWN_FORMS:
            latest.setdefault(submission.form_key, submission)
    for form_key in SHOWN_FORMS:
        submission = latest.get(form_key)
        if submission is None:
            continue
        definition = _definition(viewer.case, form_key)
        for name, value in (submission.data or {}).items():
            fdef = definition.field(name) if definition is not None and definition.has_field(name) else None
            item = field_item(form_key, name, fdef, submission.data)
            # the address is shown with the person, the flag in its own section
            if item in (None, "suicide_risk", "address") or not viewer.sees(item) or value in (None, "", []):
                continue
            label = fdef.label("ja") if fdef is not None else name
            values.append({"form_key": form_key, "field": name, "label": label, "item": item, "value": value,
                           "unit": getattr(fdef, "unit", None)})
    return values


def risk_flags(case: Case) -> list[RiskFlag]:
    return db.session.query(RiskFlag).filter_by(case_id=case.id).order_by(RiskFlag.id).all()


def risk_flags_of(case_ids: list[int]) -> dict[int, list[RiskFlag]]:
    """The risk flags of many cases in one query (a list page), oldest first per case."""
    found: dict[int, list[RiskFlag]] = {case_id: [] for case_id in case_ids}
    if case_ids:
        for flag in db.session.query(RiskFlag).filter(RiskFlag.case_id.in_(case_ids)).order_by(RiskFlag.id):
            found[flag.case_id].append(flag)
    return found


def _risk(viewer: Viewer) -> dict | None:
    if not viewer.sees("suicide_risk"):
        return None
    flags = risk_flags(viewer.case)
    if not flags:
        return None
    return {"current": flags[-1], "flags": flags}


def case_data(viewer: Viewer, submissions: list[FormSubmission] | None = None) -> dict:
    """What the case page, the case API and task pages show of the person and the case's data;
    `submissions`: every submission of the case, when the caller has read them already."""
    case = viewer.case
    person = None
    if case.person is not None:
        person = {"name": case.person.name, "kana": case.person.kana, "birth_date": case.person.birth_date,
                  "address": case.person.address if viewer.sees("address") else None,
                  "address_masked": bool(case.person.address) and not viewer.sees("address")}
    flags = flags_of(case)
    return {
        "basis": viewer.basis,
        "protected": bool(flags and flags.protected),  # DV / 住所秘匿: every page showing the person says so
        "protection": _protection(viewer, flags),
        "person": person,
        "data_items": _data_items(viewer),
        "recorded_values": _recorded_values(viewer, submissions),
        "risk": _risk(viewer),
    }


def _protection(viewer: Viewer, flags: PersonFlags | None) -> dict | None:
    """The flags (`flags_of` the case) with who set them and when, for the case's owner (others see
    the banner only)."""
    if flags is None or not flags.protected or viewer.basis not in OWNER_BASES:
        return None
    return {"dv": flags.dv, "address_secrecy": flags.address_secrecy,
            "safe_address": flags.safe_address if viewer.sees("address") else None,
            "set_by": flags.set_by.display_name if flags.set_by else None, "set_at": flags.set_at}


def case_data_json(viewer: Viewer) -> dict:
    """``case_data`` in API shape (ISO dates and times, user names)."""
    data = case_data(viewer)
    person = data["person"]
    if person is not None:
        person = {**person, "birth_date": iso_date(person["birth_date"])}
    risk = None
    if data["risk"] is not None:
        risk = {**_flag_json(data["risk"]["current"], iso_datetime),
                "flags": [_flag_json(flag, iso_datetime) for flag in data["risk"]["flags"]]}
    return {
        "access_basis": data["basis"],
        "protected": data["protected"],
        "protection": ({**data["protection"], "set_at": iso_datetime(data["protection"]["set_at"])}
                       if data["protection"] else None),
        "person": person,
        "data_items": [{**item, "recorded_at": iso_datetime(item["recorded_at"])} for item in data["data_items"]],
        "recorded_values": [{k: v for k, v in value.items() if k != "label"} for value in data["recorded_values"]],
        "risk": risk,
    }


def _flag_json(flag: RiskFlag, iso_datetime) -> dict:
    return {
        "risk_flag_id": flag.id, "level": flag.level, "indicators": list(flag.indicators or []),
        "observed_at": iso_datetime(flag.observed_at), "assessor": flag.assessor.username if flag.assessor else None,
        "note": flag.note, "via": flag.via, "sharing_basis": flag.sharing_basis,
        "acknowledged_at": iso_datetime(flag.acknowledged_at),
    }


# -- search --------------------------------------------------------------------------------
def search_result(viewer: Viewer, flags: list[RiskFlag] | None = None, protected: bool | None = None) -> dict:
    """One search hit; `flags` and `protected`: the case's risk flags and protection when the caller
    read them for every hit at once."""
    case = viewer.case
    if viewer.sees("suicide_risk"):
        flags = risk_flags(case) if flags is None else flags
    current = flags[-1] if viewer.sees("suicide_risk") and flags else None
    return {
        "case_id": case.id, "ward": case.ward, "state": case.state,
        "person_name": case.person.name if case.person else None,
        "person_kana": case.person.kana if case.person else None,
        "address": case.person.address if case.person is not None and viewer.sees("address") else None,
        "assigned_to": case.assigned_to.username if case.assigned_to else None,
        "opened_on": case.opened_on,
        "risk_level": current.level if current is not None else None,
        "protected": is_protected(case) if protected is None else protected,
    }
