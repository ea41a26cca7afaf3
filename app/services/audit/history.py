"""A case's history for auditors: timeline, forms as submitted, data differences, step-through.

Everything here reads the audit chain, the immutable form submissions and the case's pinned
process version; nothing reads today's diagram or today's forms.  Every page an auditor opens
and every export is itself an audit event.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from app import audit_chain as audit
from app.access.history import audit_trail_case_filter, can_read_audit_trail
from app.engine import parse_xml
from app.errors import NotFound
from app.extensions import db
from app.forms import FormDefinition
from app.lifecycle.risk import MESSAGE as RISK_MESSAGE
from app.lifecycle.risk import RISK_TASK_IDS
from app.lifecycle.versions import form_definition
from app.models import AuditEvent, Case, FormSubmission, HumanTask, ProcessVersion, User
from app.models.audit import chain_key
from app.services.audit.replay import ENGINE_ACTIONS, ENGINE_EVENTS, ReplayResult, replay_case

PAGE_SIZE = 50
# Events per timeline page: a case that ran for years has thousands, and drawing the rows is
# most of the page's time (200 rows took ~30 ms of CPU, more than everything else on it).
TIMELINE_PAGE = 100
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


# -- finding cases ----------------------------------------------------------------
def cases_for_auditor(user: User, case_id: int | None = None, ward: str | None = None) -> list[Case]:
    query = audit_trail_case_filter(user, db.session.query(Case))
    if case_id is not None:
        query = query.filter(Case.id == case_id)
    if ward:
        query = query.filter(Case.ward == ward)
    return query.order_by(Case.id.desc()).limit(PAGE_SIZE).all()


def case_for_auditor(user: User, case_id: int) -> Case:
    """The case if the user may read its audit trail; 404 otherwise (never reveal other wards)."""
    case = db.session.get(Case, case_id)
    if case is None or not can_read_audit_trail(user, case):
        raise NotFound("相談ケースが見つかりません")
    return case


def note_read(user: User, case: Case, view: str, **details) -> None:
    """An auditor looked at this case's history: that read is evidence too."""
    audit.record("case_history_viewed", case.id, user.id, view=view, basis="auditor", **details)
    db.session.commit()


# -- the timeline -----------------------------------------------------------------
@dataclass
class TimelineEntry:
    sequence: int
    at: datetime
    event_type: str
    actor: str | None
    data: dict
    submission_id: int | None = None
    form_key: str | None = None
    engine_step: bool = False
    title: str | None = None  # the form's title in the case's version (looked up once per form)


def case_events(case: Case) -> list[AuditEvent]:
    return (
        db.session.query(AuditEvent)
        .filter(AuditEvent.chain == chain_key(case.id))
        .order_by(AuditEvent.sequence)
        .all()
    )


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    start: int  # the first sequence number asked for
    previous_start: int | None  # where the page before this one starts; None on the first
    next_start: int | None  # where the next page starts; None on the last


def timeline_page(case: Case, start: int = 1, locale: str = "ja", size: int | None = None) -> TimelinePage:
    """`size` events of the case's chain from sequence `start` on (an index range, whatever the chain's length)."""
    start, size = max(1, start), size or TIMELINE_PAGE
    events = (db.session.query(AuditEvent)
              .filter(AuditEvent.chain == chain_key(case.id), AuditEvent.sequence >= start)
              .order_by(AuditEvent.sequence).limit(size + 1).all())
    more = len(events) > size
    entries = _entries(case, events[:size], locale)
    return TimelinePage(entries, start, max(1, start - size) if start > 1 else None,
                        events[size].sequence if more else None)


def timeline(case: Case, locale: str = "ja") -> list[TimelineEntry]:
    return _entries(case, case_events(case), locale)


def _entries(case: Case, events: list[AuditEvent], locale: str) -> list[TimelineEntry]:
    names = dict(db.session.query(User.id, User.display_name).all())
    titles: dict[str, str] = {}
    entries = []
    for event in events:
        data = event.data or {}
        entries.append(TimelineEntry(
            sequence=event.sequence, at=event.at, event_type=event.event_type,
            actor=names.get(event.actor_id), data=data, submission_id=data.get("submission_id"),
            form_key=data.get("form_key"), engine_step=_is_engine_step(event.event_type, data),
            title=_title(case, data.get("form_key"), locale, titles),
        ))
    return entries


def _title(case: Case, form_key: str | None, locale: str, titles: dict[str, str]) -> str | None:
    if not form_key:
        return None
    if form_key not in titles:
        try:
            titles[form_key] = form_definition(case.process_version, form_key).title(locale)
        except NotFound:
            titles[form_key] = form_key
    return titles[form_key]


def _is_engine_step(event_type: str, data: dict) -> bool:
    if event_type not in ENGINE_EVENTS:
        return False
    # the same rule replay follows (replay._StepEvent.moves_engine)
    return event_type != "action_run" or data.get("action") in ENGINE_ACTIONS or "message" in data


# -- a completed task's form, as the caseworker saw it ------------------------------
@dataclass
class SubmittedForm:
    submission: FormSubmission
    definition: FormDefinition
    event: AuditEvent | None
    same_version: bool


def submitted_form(case: Case, submission_id: int) -> SubmittedForm:
    submission = db.session.get(FormSubmission, submission_id)
    if submission is None or submission.case_id != case.id:
        raise NotFound("記録が見つかりません")
    definition = _definition_as_seen(case, submission)
    event = next((e for e in case_events(case) if (e.data or {}).get("submission_id") == submission.id), None)
    return SubmittedForm(submission, definition, event, definition.version == submission.form_version)


def _definition_as_seen(case: Case, submission: FormSubmission) -> FormDefinition:
    """The form definition the caseworker filled in: the case's own version's, unless the case
    was migrated to a newer process version since; then the newest deployed version of the
    process that carries the form at the submission's form version."""
    definition = form_definition(case.process_version, submission.form_key)
    if definition.version == submission.form_version:
        return definition
    versions = (
        db.session.query(ProcessVersion)
        .filter(ProcessVersion.process_id == case.process_version.process_id,
                ProcessVersion.id != case.process_version_id)
        .order_by(ProcessVersion.version.desc())
    )
    for version in versions:
        try:
            earlier = form_definition(version, submission.form_key)
        except NotFound:
            continue
        if earlier.version == submission.form_version:
            return earlier
    return definition  # not found anywhere: the page says the versions differ


# -- data at a step, and the difference between two steps ----------------------------
@dataclass
class DataChange:
    record: str  # form key, with the service for per-service records
    form_key: str
    field: str
    before: object
    after: object


@dataclass
class DataDiff:
    from_sequence: int
    to_sequence: int
    changes: list[DataChange] = field(default_factory=list)


def data_at(case: Case, sequence: int, events: list[AuditEvent] | None = None,
            submissions: dict[int, FormSubmission] | None = None) -> dict[str, dict]:
    """The case's recorded data as of event `sequence`: the latest submission per record, and state."""
    events = case_events(case) if events is None else events
    submissions = _submissions_by_id(case) if submissions is None else submissions
    snapshot: dict[str, dict] = {"case": {}}
    for event in events:
        if event.sequence > sequence:
            break
        data = event.data or {}
        if event.event_type == "case_state_changed":
            snapshot["case"]["state"] = data.get("after")
        elif event.event_type == "case_closed":
            snapshot["case"]["closure_reason"] = data.get("reason")
        submission = submissions.get(data.get("submission_id") or -1)
        if submission is not None:
            snapshot[_record_key(submission, data)] = dict(submission.data or {})
    return snapshot


def _record_key(submission: FormSubmission, data: dict) -> str:
    item = (data.get("engine_input") or {}).get("instance_item")
    if submission.form_key == "progress_note":
        return f"progress_note:{submission.id}"  # notes accumulate; each is its own record
    return f"{submission.form_key}:{item}" if item else submission.form_key


def _submissions_by_id(case: Case) -> dict[int, FormSubmission]:
    return {s.id: s for s in db.session.query(FormSubmission).filter_by(case_id=case.id)}


def data_diff(case: Case, from_sequence: int, to_sequence: int) -> DataDiff:
    events, submissions = case_events(case), _submissions_by_id(case)
    before = data_at(case, from_sequence, events, submissions)
    after = data_at(case, to_sequence, events, submissions)
    diff = DataDiff(from_sequence, to_sequence)
    for record in sorted(set(before) | set(after), key=lambda r: (r != "case", r)):
        old, new = before.get(record, {}), after.get(record, {})
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                diff.changes.append(DataChange(record, record.split(":")[0], name, old.get(name), new.get(name)))
    return diff


# -- step-through on the diagram ------------------------------------------------------
_trace_cache: OrderedDict[tuple[int, str], ReplayResult] = OrderedDict()
_trace_lock = threading.Lock()
_TRACE_CACHE_SIZE = 16


def traced_replay(case: Case) -> ReplayResult:
    """Replay with per-step element traces; cached until the case's chain grows."""
    head = (
        db.session.query(AuditEvent.hash)
        .filter(AuditEvent.chain == chain_key(case.id), AuditEvent.event_type.in_(ENGINE_EVENTS))
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
        .scalar()
    )
    key = (case.id, head or "")
    with _trace_lock:
        if key in _trace_cache:
            _trace_cache.move_to_end(key)
            return _trace_cache[key]
    result = replay_case(case, trace=True)
    with _trace_lock:
        _trace_cache[key] = result
        while len(_trace_cache) > _TRACE_CACHE_SIZE:
            _trace_cache.popitem(last=False)
    return result


def step_through(case: Case, step: int | None) -> dict:
    """What the diagram shows at engine step `step` (0-based; default: the last step)."""
    result = traced_replay(case)
    steps = result.steps
    if not steps:
        raise NotFound("この相談ケースには再生できる手順がありません")
    index = len(steps) - 1 if step is None else step
    if not 0 <= index < len(steps):
        raise NotFound("その手順はありません")
    hidden = risk_elements(case.process_version)

    def shown(ids) -> list[str]:
        return [bpmn_id for bpmn_id in ids if bpmn_id not in hidden]

    def label(taken) -> str:
        return HIDDEN_STEP if taken.label == RISK_MESSAGE or taken.label in hidden else taken.label

    path, counts = [], {}
    for taken in steps[: index + 1]:
        for bpmn_id in shown(taken.ran):
            path.append(bpmn_id)
            counts[bpmn_id] = counts.get(bpmn_id, 0) + 1
    current = steps[index]
    return {
        "case_id": case.id,
        "process_id": case.process_version.process_id,
        "process_version": case.process_version.version,
        "diagram_hash": case.process_version.content_hash,
        "step": index,
        "step_count": len(steps),
        "previous": index - 1 if index > 0 else None,
        "next": index + 1 if index + 1 < len(steps) else None,
        "event": {"sequence": current.sequence, "event_type": current.event_type, "label": label(current),
                  "at": current.at.isoformat()},
        "ran_in_step": shown(current.ran),
        "path": path,
        "active": shown(current.active),
        "repeated": {bpmn_id: n for bpmn_id, n in counts.items() if n > 1},
        # every element the case ever ran or waited at: the diagram is framed on these once
        "reached": sorted({bpmn_id for s in steps for bpmn_id in shown((*s.ran, *s.active))}),
        "steps": [{"step": i, "sequence": s.sequence, "event_type": s.event_type, "label": label(s),
                   "at": s.at.isoformat()} for i, s in enumerate(steps)],
        "names": {k: v for k, v in element_names(case).items() if k not in hidden},
        "replay_ok": result.ok,
        "divergences": result.divergences,
    }


# The high-risk response (the suicide-risk flag's tasks) is never shown to auditors: they see that
# a step happened, not what it was about, as in the exports.
HIDDEN_STEP = "（非表示の記録）"
_risk_elements_by_version: dict[tuple[int, str], tuple[frozenset[str], frozenset[str]]] = {}


def _risk_parts(version: ProcessVersion) -> tuple[frozenset[str], frozenset[str]]:
    """(element ids, file names) of the high-risk response in a version: the event subprocess that
    catches the high-flag message, everything in it, and the processes it calls (whole files)."""
    key = (version.id, version.content_hash)
    if key not in _risk_elements_by_version:
        documents = {name: parse_xml(text, name) for name, text in (version.bpmn_files or {}).items()}
        ids: set[str] = set(RISK_TASK_IDS)
        called: set[str] = set()
        for root in documents.values():
            messages = {m.get("id") for m in root.iter(f"{{{BPMN_NS}}}message") if m.get("name") == RISK_MESSAGE}
            for sub in root.iter(f"{{{BPMN_NS}}}subProcess"):
                catches = any(d.get("messageRef") in messages for d in sub.iter(f"{{{BPMN_NS}}}messageEventDefinition"))
                if sub.get("triggeredByEvent") == "true" and catches:
                    ids |= {el.get("id") for el in sub.iter() if el.get("id")}
                    called |= {c.get("calledElement") for c in sub.iter(f"{{{BPMN_NS}}}callActivity")}
        files = set()
        for name, root in documents.items():
            processes = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")]
            if processes and all(process in called for process in processes):
                files.add(name)
                ids |= {el.get("id") for el in root.iter() if el.get("id")}
        _risk_elements_by_version[key] = (frozenset(ids), frozenset(files))
    return _risk_elements_by_version[key]


def risk_elements(version: ProcessVersion) -> frozenset[str]:
    return _risk_parts(version)[0]


def diagram_files(case: Case) -> list[str]:
    """The BPMN files of the case's own process version: the one holding its main process first,
    then the processes it calls (their tasks are marked on their own diagrams); never the high-risk
    response's."""
    version = case.process_version
    files = version.bpmn_files or {}
    marker = f'id="{version.process_id}"'
    hidden = _risk_parts(version)[1]
    return sorted((name for name in files if name not in hidden), key=lambda name: (marker not in files[name], name))


_NAMED = re.compile(r'<bpmn:\w+\s+id="([^"]+)"[^>]*?\sname="([^"]*)"')


def element_names(case: Case) -> dict[str, str]:
    """{element id: its name in the diagram} over the files shown to auditors, so pages say
    「相談受付」 rather than an element id."""
    files = case.process_version.bpmn_files or {}
    names: dict[str, str] = {}
    for name in diagram_files(case):
        for element_id, text in _NAMED.findall(files[name]):
            names.setdefault(element_id, html.unescape(text).replace("&#10;", " ").strip())
    return names


def diagram_xml(case: Case, filename: str | None = None) -> str:
    """One BPMN file of the case's own process version (default: the one holding its main process)."""
    version = case.process_version
    files = version.bpmn_files or {}
    names = diagram_files(case)
    name = filename if filename is not None else (names[0] if names else None)
    if name not in names or (filename is None and f'id="{version.process_id}"' not in files[name]):
        raise NotFound("この版の図が見つかりません")
    return files[name]


# -- read-only users trying to change something --------------------------------------------
def record_refused_change(user: User, method: str, path: str, endpoint: str | None,
                          view_args: dict | None) -> None:
    """Audit an attempt by a read-only user to change something (the request is then refused)."""
    args = view_args or {}
    case_id = args.get("case_id")
    if case_id is None and 0 < (args.get("task_id") or 0) <= 2_147_483_647:
        task = db.session.get(HumanTask, args["task_id"])
        case_id = task.case_id if task is not None else None
    if case_id is not None and (case_id > 2_147_483_647 or db.session.get(Case, case_id) is None):
        case_id = None  # an invented id must not start a chain for a case that does not exist
    audit.record("change_refused", case_id, user.id, method=method, path=path[:500], endpoint=endpoint)
    db.session.commit()
