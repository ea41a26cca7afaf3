"""Notification mail: sent by the scheduler pass after its commits, never from a web request.

`tsunagi scheduler` (each tick) and `tsunagi timers run-due` call send_pending_email() once the
alerts they raised are committed.  Email is off unless NOTIFY_EMAIL and SMTP_HOST are set.

A mail tells its reader only which kind of alert waits and asks them to log in (with a link when
BASE_URL is set).  It never carries anything about the person supported (name, kana, address: these
are 要配慮個人情報) nor a failing timer's error text: only the task's name, which comes from the
process definition, and a due date.

Each alert is claimed and mailed in its own transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
several scheduler processes never mail it twice) and `emailed_at` is set once the relay took it.
A relay that is down or fails (connection refused, SMTPException, OSError) is logged as a warning:
the alert stays in お知らせ with `emailed_at` NULL and the next pass tries again.  An address the
relay refuses for good (5xx) is logged and that one mail is given up.

Passed over for good (`emailed_at` set without a mail, so no pass scans them again): alerts of
users without an address or no longer active, alerts already read in the app, and alerts older
than MAIL_WITHIN (a backlog from before email was turned on).  So an address given to a user
later brings mail for alerts raised from then on.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from app.clock import now
from app.extensions import db
from app.models import Notification, User
from app.services.timers.notifications import MESSAGES

log = logging.getLogger("tsunagi.mail")

BATCH = 500  # alerts looked at per pass; the rest wait for the next one
SMTP_TIMEOUT_SECONDS = 10
MAIL_WITHIN = timedelta(days=7)
# The only notification params a mail may show: the task's name (from the BPMN) and a due date/time.
MAIL_PARAMS = ("name", "due_on", "due_at")
SUBJECTS = {
    "task_alert": "【つなぎ】対応が必要なタスクがあります",
    "task_overdue": "【つなぎ】期限を過ぎたタスクがあります",
    "task_due_passed": "【つなぎ】期限の時刻を過ぎたタスクがあります",
    "task_escalated": "【つなぎ】期限の時刻を過ぎても対応されていないタスクがあります",
    "evaluation_overdue": "【つなぎ】評価が期限を過ぎています",
    "timer_incident": "【つなぎ】タイマーの処理が失敗しています",
}
DEFAULT_SUBJECT = "【つなぎ】お知らせ"


class RelayFailed(Exception):
    """The relay cannot take mail now; the rest of the pass waits for the next one."""


def email_enabled() -> bool:
    config = current_app.config
    return bool(config.get("NOTIFY_EMAIL")) and bool(config.get("SMTP_HOST"))


def send_pending_email() -> int:
    """Mail every alert not yet mailed to its user; returns how many mails the relay took."""
    if not email_enabled():
        return 0
    to_mail = _pass_over_the_rest()
    if not to_mail:
        return 0
    try:
        smtp = _connect()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("notification mail: relay %s unreachable (%s); %d mail(s) wait for the next pass",
                    current_app.config["SMTP_HOST"], exc, len(to_mail))
        return 0
    sent = 0
    try:
        for note_id in to_mail:
            sent += _send_one(smtp, note_id)
    except RelayFailed as exc:
        log.warning("notification mail: the relay failed (%s); %d sent, the rest wait for the next pass",
                    exc, sent)
    finally:
        _quit(smtp)
    return sent


def _pass_over_the_rest() -> list[int]:
    """Mark the alerts that get no mail; the ids of those that do."""
    rows = (
        db.session.query(Notification.id, Notification.read_at, Notification.created_at, User.email, User.active)
        .join(User, Notification.user_id == User.id)
        .filter(Notification.emailed_at.is_(None))
        .order_by(Notification.id)
        .limit(BATCH)
        .all()
    )
    oldest = now() - MAIL_WITHIN
    to_mail, passed_over = [], []
    for note_id, read_at, created_at, email, active in rows:
        fresh = (created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)) >= oldest
        (to_mail if email and active and read_at is None and fresh else passed_over).append(note_id)
    if passed_over:
        db.session.query(Notification).filter(Notification.id.in_(passed_over), Notification.emailed_at.is_(None)) \
            .update({Notification.emailed_at: now()}, synchronize_session=False)
    db.session.commit()
    return to_mail


def _send_one(smtp: smtplib.SMTP, note_id: int) -> int:
    note = (
        db.session.query(Notification)
        .filter(Notification.id == note_id, Notification.emailed_at.is_(None))
        .with_for_update(skip_locked=True)
        .populate_existing()
        .first()
    )
    if note is None:  # another scheduler process has mailed it, or is mailing it now
        db.session.rollback()
        return 0
    user = note.user
    if not user.email:  # the address was removed meanwhile
        note.emailed_at = now()
        db.session.commit()
        return 0
    try:
        smtp.send_message(compose(note, user))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        log.warning("notification mail: the relay refused the address of user %s (%s)%s", user.username, codes,
                    "; this mail is given up" if permanent else "; retried on the next pass")
        if permanent:
            note.emailed_at = now()
            db.session.commit()
        else:
            db.session.rollback()
        return 0
    except (smtplib.SMTPException, OSError) as exc:
        db.session.rollback()
        raise RelayFailed(str(exc) or type(exc).__name__) from exc
    note.emailed_at = now()
    db.session.commit()
    return 1


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25), timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def compose(note: Notification, user: User) -> EmailMessage:
    config = current_app.config
    sender = config.get("SMTP_FROM") or "tsunagi@localhost"
    mail = EmailMessage()
    mail["Subject"] = SUBJECTS.get(note.kind, DEFAULT_SUBJECT)
    mail["From"] = sender
    mail["To"] = user.email
    mail["Date"] = format_datetime(now())
    mail["Message-ID"] = make_msgid("tsunagi", domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    mail.set_content(body(note))
    return mail


def body(note: Notification) -> str:
    """Which kind of alert waits, and where to read it; nothing about the person supported."""
    params = {key: (note.params or {}).get(key) or "" for key in MAIL_PARAMS}
    try:
        what = MESSAGES[note.kind] % params
    except (KeyError, TypeError, ValueError):  # a kind or a param this mail does not know
        what = "新しいお知らせがあります"
    base_url = (current_app.config.get("BASE_URL") or "").rstrip("/")
    lines = [
        "つなぎに新しいお知らせがあります。",
        "",
        f"　{what}",
        "",
        "内容はつなぎにログインして「お知らせ」でご確認ください。",
        *([f"{base_url}/notifications", ""] if base_url else [""]),
        "※ このメールには相談者の個人情報を載せていません。",
        "※ 送信専用のアドレスから送っています。返信はできません。",
    ]
    return "\n".join(lines) + "\n"
