"""The case's own forms as A4 print pages: the plan (プラン兼事業等利用申込書, signed by the person),
the assessment sheet and the meeting record — each with only what the reader's role may see, dates
in 和暦."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template

from app.errors import NotFound
from app.extensions import db
from app.lifecycle.versions import form_definition
from app.models import Case, CoordinationMeeting, FormSubmission, PlanVersion, User
from app.services.privacy import masking

from .wareki import wareki_date

KINDS = {"plan": "plan", "assessment": "assessment", "meeting": "coordination_meeting"}


@dataclass(frozen=True)
class PrintedForm:
    kind: str
    title: str
    submission: FormSubmission
    sections: list[tuple[str, list[tuple[str, str]]]]
    withheld: list[str]
    plan: PlanVersion | None = None
    meeting: CoordinationMeeting | None = None


def _submission_for(case: Case, kind: str, number: int | None):
    plan = meeting = None
    if kind == "plan":
        query = db.session.query(PlanVersion).filter_by(case_id=case.id)
        plan = (query.filter_by(number=number) if number else query.order_by(PlanVersion.number.desc())).first()
        submission_id = plan.submission_id if plan else None
    elif kind == "meeting":
        query = db.session.query(CoordinationMeeting).filter_by(case_id=case.id)
        meeting = (query.filter_by(id=number) if number else query.order_by(CoordinationMeeting.id.desc())).first()
        submission_id = meeting.submission_id if meeting else None
    else:
        found = (db.session.query(FormSubmission.id).filter_by(case_id=case.id, form_key="assessment")
                 .order_by(FormSubmission.id.desc()).first())
        submission_id = found[0] if found else None
    submission = db.session.get(FormSubmission, submission_id) if submission_id else None
    if submission is None:
        raise NotFound("印刷できる記録がまだありません")
    return submission, plan, meeting


def shown_value(fdef, value, locale: str = "ja") -> str:
    if value is None or value == "" or value == []:
        return "—"
    if fdef.type == "bool":
        return "はい" if value else "いいえ"
    if fdef.type == "code":
        return fdef.choice_label(str(value), locale)
    if fdef.type == "codes":
        return "、".join(fdef.choice_label(str(v), locale) for v in value)
    if fdef.type == "date":
        try:
            return wareki_date(date.fromisoformat(str(value)[:10]))
        except ValueError:
            return str(value)
    if fdef.type == "int":
        return f"{value:,}円" if fdef.unit == "yen" else f"{value:,}"
    return str(value)


def printed_form(viewer_user: User, case: Case, kind: str, number: int | None = None) -> PrintedForm:
    if kind not in KINDS:
        raise NotFound("この帳票は印刷できません")
    submission, plan, meeting = _submission_for(case, kind, number)
    definition = form_definition(case.process_version, submission.form_key)
    viewer = masking.viewer_for(viewer_user, case)
    values, hidden = masking.mask_form_data(viewer, submission.form_key, submission.data)
    sections = []
    for section in definition.sections:
        rows = [(f.label("ja"), shown_value(f, values.get(f.name))) for f in section.fields
                if f.name in values and f.name not in hidden]
        if rows:
            sections.append((section.title("ja"), rows))
    withheld = [definition.field(n).label("ja") for n in hidden if definition.has_field(n)]
    return PrintedForm(kind, definition.title("ja"), submission, sections, withheld, plan, meeting)


def render_printed(printed: PrintedForm, case: Case, **page) -> str:
    return render_template("documents/case_form.html", printed=printed, case=case, document_title=printed.title,
                           printed_on=wareki_date(printed.submission.submitted_at.date()), **page)
