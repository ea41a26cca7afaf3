"""In-app notifications: one row per recipient, written in the transaction that raises the alert.

`dedupe_key` makes each alert appear once per person however often a sweep runs.  Email is
optional and off by default (NOTIFY_EMAIL, SMTP_* settings): notification_mail.py sends it from the
scheduler pass after the commit, and a mail failure never undoes the alert.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.clock import JST, now, today
from app.extensions import db
from app.lifecycle.deadlines import evaluation_overdue_on
from app.models import Case, HumanTask, Notification, PlanVersion, TimerIncident, User

# Tasks whose opening alerts supervisors of the case's ward (the non-response ladder).
ALERT_ROLES_ON_OPEN = {
    "home_visit": ("lead_worker", "section_chief"),
    "suspension_decision": ("section_chief",),
    "evaluation_no_response": ("lead_worker", "section_chief"),
}
SUPERVISORS = ("lead_worker", "section_chief")
# A task due at a time of day (the risk acknowledgement within one hour) still open this long after
# its due time is escalated to the ward's section chief(s); config RISK_ESCALATE_AFTER_MINUTES.
ESCALATE_AFTER_MINUTES = 30


def _(text: str) -> str:
    """Marks a msgid for extraction; the page translates it with the notification's params."""
    return text


# Japanese message per kind (msgids; %(name)s etc. come from Notification.params).
MESSAGES = {
    "task_alert": _("「%(name)s」が必要です（連絡がとれない状態が続いています）"),
    "task_overdue": _("「%(name)s」の期限（%(due_on)s）を過ぎています"),
    "task_due_passed": _("「%(name)s」の期限（%(due_at)s）を過ぎても対応されていません"),
    "task_escalated": _("「%(name)s」が期限（%(due_at)s）を過ぎても対応されていません（係長への報告）"),
    "evaluation_overdue": _("評価がプラン期間終了後の期限（%(due_on)s）を過ぎても行われていません"),
    "timer_incident": _("タイマーの処理が繰り返し失敗しました（運用担当の確認が必要です）"),
    "task_cancelled": _("「%(name)s」は取り消されました（理由：%(reason)s）"),
    "task_given": _("「%(name)s」の担当になりました"),
    "intake_waiting": _("新しい連絡票の受付「%(name)s」が届いています"),
    "task_due_tomorrow": _("「%(name)s」の期限は明日（%(due_on)s）です"),
    "dv_inquiry": _("DV・住所秘匿の方について第三者から問い合わせがありました（%(received_at)s、回答せず）"),
}


def ward_users(ward: str | None, roles: tuple[str, ...]) -> list[User]:
    users = db.session.query(User).filter(User.active.is_(True), User.ward == ward).all()
    return [user for user in users if user.roles.intersection(roles)]


def notify(users, kind: str, dedupe_key: str, case_id: int | None = None, **params) -> int:
    """Add one notification per user unless that user already has this alert."""
    added = 0
    for user in {u.id: u for u in users if u is not None}.values():
        exists = db.session.query(Notification.id).filter_by(user_id=user.id, dedupe_key=dedupe_key).first()
        if exists:
            continue
        db.session.add(Notification(user_id=user.id, case_id=case_id, kind=kind, dedupe_key=dedupe_key,
                                    params=params, created_at=now()))
        added += 1
    return added


def alert_for_new_tasks(case: Case, tasks: list[HumanTask]) -> None:
    for task in tasks:
        roles = ALERT_ROLES_ON_OPEN.get(task.bpmn_id)
        if roles:
            recipients = ward_users(case.ward, roles) + [case.assigned_to]
            notify(recipients, "task_alert", f"task_alert:{task.id}", case.id, name=task.name,
                   due_on=task.due_on.isoformat() if task.due_on else None)


def alert_incident(case: Case, incident: TimerIncident) -> None:
    notify(ward_users(case.ward, SUPERVISORS), "timer_incident", f"timer_incident:{incident.id}", case.id,
           error=(incident.last_error or "")[:300])


def sweep_overdue() -> int:
    """Alert the owner of every overdue open task once, and supervisors of late evaluations.

    Two schedulers may sweep at the same moment.  On PostgreSQL only one sweeps at a time (a
    transaction-scoped advisory lock); a scheduler that finds another sweeping leaves it to that
    one and adds none (what becomes overdue meanwhile is found by the next sweep), rather than
    waiting behind the other's new alerts on their dedupe keys until its lock timeout.  Should
    alerts still collide on a dedupe key (at commit, or when a query flushes them), the sweep
    that loses leaves them to the other and adds none.
    """
    try:
        if not _sweep_lock_taken():
            db.session.rollback()
            return 0
        added = _sweep_overdue()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        added = 0
    return added


# Advisory lock key of the sweep, in the namespace of the audit chain's advisory locks (0x7453).
_SWEEP_LOCK = (0x7453, 1)


def _sweep_lock_taken() -> bool:
    """PostgreSQL: this transaction now holds the sweep's lock, or False when another one does."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: the database's single writer lock does it
    return bool(db.session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:namespace, :key)"),
                                   {"namespace": _SWEEP_LOCK[0], "key": _SWEEP_LOCK[1]}).scalar())


class _Alerts:
    """One sweep's alerts, as `notify` would add them, with the reads done in bulk.

    The ward's staff are read once per ward and the existing alerts once per recipient (for all
    the sweep's dedupe keys together), instead of once per task.
    """

    def __init__(self):
        self._staff: dict[str | None, list[User]] = {}
        self._wanted: list[tuple[User, str, str, int | None, dict]] = []

    def ward_users(self, ward: str | None, roles: tuple[str, ...]) -> list[User]:
        if ward not in self._staff:
            self._staff[ward] = db.session.query(User).filter(User.active.is_(True), User.ward == ward).all()
        return [user for user in self._staff[ward] if user.roles.intersection(roles)]

    def notify(self, users, kind: str, dedupe_key: str, case_id: int | None = None, **params) -> None:
        for user in {u.id: u for u in users if u is not None}.values():
            self._wanted.append((user, kind, dedupe_key, case_id, params))

    def add(self) -> int:
        """Add the alerts no recipient has yet; returns how many."""
        keys_by_user: dict[int, set[str]] = {}
        for user, _kind, dedupe_key, _case_id, _params in self._wanted:
            keys_by_user.setdefault(user.id, set()).add(dedupe_key)
        have = set()
        for user_id, keys in keys_by_user.items():
            keys = sorted(keys)
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                rows = db.session.query(Notification.dedupe_key).filter(
                    Notification.user_id == user_id, Notification.dedupe_key.in_(keys[start:start + _KEYS_PER_QUERY]))
                have.update((user_id, key) for (key,) in rows)
        added = []
        for user, kind, dedupe_key, case_id, params in self._wanted:
            if (user.id, dedupe_key) in have:
                continue
            have.add((user.id, dedupe_key))
            added.append(Notification(user_id=user.id, case_id=case_id, kind=kind, dedupe_key=dedupe_key,
                                      params=params, created_at=now()))
        db.session.add_all(added)
        return len(added)


# Dedupe keys looked up per query (a bound parameter each).
_KEYS_PER_QUERY = 500


def _sweep_overdue() -> int:
    day = today()
    alerts = _Alerts()
    _sweep_due_times(alerts)
    # Date-only deadlines: overdue from the day after.  Tasks with a time of day are alerted by the
    # minute above and not a second time here.
    overdue = db.session.query(HumanTask).filter(HumanTask.status == "open", HumanTask.due_on < day,
                                                 HumanTask.due_at.is_(None)).all()
    for task in overdue:
        owners = [task.assignee] if task.assignee else alerts.ward_users(task.ward, tuple(task.roles))
        alerts.notify(owners, "task_overdue", f"task_overdue:{task.id}", task.case_id, name=task.name,
                      due_on=task.due_on.isoformat())
    tomorrow = db.session.query(HumanTask).filter(HumanTask.status == "open",
                                                  HumanTask.due_on == day + timedelta(days=1)).all()
    for task in tomorrow:
        owners = [task.assignee] if task.assignee else alerts.ward_users(task.ward, tuple(task.roles))
        alerts.notify(owners, "task_due_tomorrow", f"task_due_tomorrow:{task.id}", task.case_id,
                      name=task.name, due_on=task.due_on.isoformat())
    evaluations = db.session.query(HumanTask).filter_by(status="open", form_key="evaluation").all()
    plan_ends = _last_approved_plan_ends({task.case_id for task in evaluations})
    for task in evaluations:
        plan_to = plan_ends.get(task.case_id)
        due = evaluation_overdue_on(task.ward, plan_to) if plan_to else None
        if due is not None and due <= day:
            alerts.notify(alerts.ward_users(task.ward, SUPERVISORS) + [task.assignee], "evaluation_overdue",
                          f"evaluation_overdue:{task.id}", task.case_id, name=task.name, due_on=due.isoformat())
    return alerts.add()


def escalate_after() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("RISK_ESCALATE_AFTER_MINUTES", ESCALATE_AFTER_MINUTES)))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _sweep_due_times(alerts: _Alerts) -> None:
    """Open tasks due at a time of day (the one-hour risk acknowledgement): alerted at that minute.

    At the due time the task's own people (its assignee, or the ward's holders of its roles) and the
    ward's lead worker(s) are alerted; still open `escalate_after()` later, the ward's section
    chief(s) too.  Each alert once per person (dedupe keys), whatever the interval of the ticks.
    """
    moment = now()
    late = escalate_after()
    # due_on is due_at's date in Japan, so the index on due_on narrows the scan to today and before.
    rows = db.session.query(HumanTask).filter(HumanTask.status == "open", HumanTask.due_at.isnot(None),
                                              HumanTask.due_on <= today()).all()
    for task in rows:
        due = _aware(task.due_at)
        if due > moment:
            continue
        params = {"name": task.name, "due_on": task.due_on.isoformat() if task.due_on else None,
                  "due_at": due.astimezone(JST).strftime("%Y-%m-%d %H:%M")}
        owner_roles = tuple(task.roles - {"section_chief"})
        owners = [task.assignee] if task.assignee else alerts.ward_users(task.ward, owner_roles)
        alerts.notify(owners + alerts.ward_users(task.ward, ("lead_worker",)), "task_due_passed",
                      f"task_due_passed:{task.id}", task.case_id, **params)
        if due + late <= moment:
            alerts.notify(alerts.ward_users(task.ward, ("section_chief",)), "task_escalated",
                          f"task_escalated:{task.id}", task.case_id, **params)


def _last_approved_plan_ends(case_ids: set[int]) -> dict[int, date | None]:
    """Per case, the end of its latest approved plan version (None when that version has no end)."""
    if not case_ids:
        return {}
    rows = (
        db.session.query(PlanVersion.case_id, PlanVersion.plan_to)
        .filter(PlanVersion.status == "approved",
                PlanVersion.case_id.in_(sa.select(HumanTask.case_id).where(HumanTask.status == "open",
                                                                           HumanTask.form_key == "evaluation")))
        .order_by(PlanVersion.case_id, PlanVersion.number.desc())
    )
    ends: dict[int, date | None] = {}
    for case_id, plan_to in rows:
        if case_id in case_ids:
            ends.setdefault(case_id, plan_to)
    return ends


def message(note: Notification) -> str:
    return MESSAGES.get(note.kind, note.kind)


def params_of(note: Notification, locale: str = "ja") -> dict:
    """The message's parameters as a page shows them: dates in Japanese form (ISO in English)."""
    params = {"name": "", "due_on": "", "due_at": "", "reason": "", **(note.params or {})}
    if not locale.startswith("en"):
        for key in ("due_on", "due_at"):
            params[key] = _japanese(params[key])
    return params


def _japanese(value) -> str:
    text = str(value or "")
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    rest = text[10:].strip()
    return f"{day.year}年{day.month}月{day.day}日" + (f" {rest}" if rest else "")


def unread_count(user: User) -> int:
    return db.session.query(Notification).filter_by(user_id=user.id, read_at=None).count()


def for_user(user: User, limit: int = 100) -> list[Notification]:
    return (
        db.session.query(Notification)
        .filter_by(user_id=user.id)
        .order_by(Notification.read_at.isnot(None), Notification.id.desc())
        .limit(limit)
        .all()
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    query = db.session.query(Notification).filter_by(user_id=user.id, read_at=None)
    if notification_id is not None:
        query = query.filter_by(id=notification_id)
    count = query.update({Notification.read_at: now()}, synchronize_session=False)
    db.session.commit()
    return count

