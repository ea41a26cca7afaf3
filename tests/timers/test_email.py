"""Notification mail: off by default; once per alert to users with an address; nothing about the person
supported; a relay that fails loses no alert and the next pass sends it.  Driven through the CLI."""

from __future__ import annotations

import logging
import smtplib
from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from app.config import load_config
from app.engine import EngineError
from app.extensions import db
from app.lifecycle import runtime, steps
from app.models import Notification, User
from app.services.timers import mail as notification_mail
from app.services.timers import notifications
from tests.helpers import case_of, complete

from .conftest import jst

PLAN_DAY, MISSED = date(2027, 4, 1), date(2027, 4, 19)  # the home visit (and its alert) comes on 5/19
VISIT = jst(date(2027, 5, 19), 9, 1)
MAIL_ON = {"NOTIFY_EMAIL": True, "SMTP_HOST": "relay.city.example", "SMTP_FROM": "tsunagi@city.example.jp",
           "BASE_URL": "https://tsunagi.city.example.jp/"}


class FakeRelay:
    """Stands in for smtplib.SMTP: records connections and mails; can be down or fail mid-pass."""

    def __init__(self):
        self.sent: list = []
        self.calls: list = []
        self.down = False
        self.fail_after: int | None = None  # mails taken before the connection breaks
        self.refuse: dict[str, int] = {}  # address -> SMTP reply code for RCPT TO

    def __call__(self, host, port, timeout=None):
        self.calls.append(("connect", host, port))
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        return _Connection(self)


class _Connection:
    def __init__(self, relay: FakeRelay):
        self.relay = relay

    def starttls(self, context=None):
        self.relay.calls.append("starttls")

    def login(self, user, password):
        self.relay.calls.append(("login", user, password))

    def send_message(self, mail):
        if self.relay.fail_after is not None and len(self.relay.sent) >= self.relay.fail_after:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if mail["To"] in self.relay.refuse:
            raise smtplib.SMTPRecipientsRefused({mail["To"]: (self.relay.refuse[mail["To"]], b"refused")})
        self.relay.sent.append(mail)

    def quit(self):
        self.relay.calls.append("quit")

    def close(self):
        pass


@pytest.fixture
def relay(monkeypatch):
    fake = FakeRelay()
    monkeypatch.setattr(notification_mail.smtplib, "SMTP", fake)
    return fake


@pytest.fixture
def cli(app, clock):
    """cli(*args, when=None) -> the result of `tsunagi *args` (at `when`, when given)."""
    runner = app.test_cli_runner()

    def invoke(*args, when=None):
        if when is not None:
            clock.current = when
        with freeze_time(clock.current):
            result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return invoke


def _run_due(cli, when) -> str:
    result = cli("timers", "run-due", when=when)
    assert result.exit_code == 0, result.output
    return result.output


def _home_visit_alert(login, staff, case_in_support, cli) -> int:
    """A case on the non-response ladder just before its home visit (lead, chief and cw get alerted)."""
    cw = login(staff["caseworker"])
    case_id = case_in_support(PLAN_DAY)
    complete(cw, case_id, "monitoring", MISSED, contact_made=False, progress="電話・訪問とも不在")
    assert _run_due(cli, jst(date(2027, 5, 6), 9, 1)).startswith("fired 1 ")  # the letter; no alert
    return case_id


def _mails_to(relay, address) -> list:
    return [mail for mail in relay.sent if mail["To"] == address]


def _text(mail) -> str:
    return mail.get_content()


def _unmailed(user) -> int:
    return db.session.query(Notification).filter_by(user_id=user.id, emailed_at=None).count()


def test_email_is_off_by_default(app, staff, login, case_in_support, cli, relay):
    assert cli("users", "set-email", "lead", "lead@example.invalid").exit_code == 0
    case_id = _home_visit_alert(login, staff, case_in_support, cli)
    assert _run_due(cli, VISIT) == "fired 1 timer(s)\n"
    assert relay.calls == [] and relay.sent == []
    lead = staff["lead_worker"]
    assert db.session.query(Notification).filter_by(user_id=lead.id, case_id=case_id).count() == 1
    assert _unmailed(lead) == 1  # untouched while email is off


def test_each_alert_is_mailed_once_to_users_with_an_address(app, staff, login, case_in_support, cli, relay):
    app.config.update(MAIL_ON, SMTP_STARTTLS=True, SMTP_USER="tsunagi", SMTP_PASSWORD="relay-secret")
    lead, chief, cw = staff["lead_worker"], staff["section_chief"], staff["caseworker"]
    for user, address in ((lead, "lead@example.invalid"), (chief, "chief@example.invalid")):
        assert cli("users", "set-email", user.username, address).output == f"{user.username}: email {address}\n"
    case_id = _home_visit_alert(login, staff, case_in_support, cli)
    assert relay.calls == []  # nothing to mail: no connection to the relay

    assert _run_due(cli, VISIT) == "fired 1 timer(s)\nemailed 2 notification(s)\n"
    assert relay.calls == [("connect", "relay.city.example", 25), "starttls", ("login", "tsunagi", "relay-secret"),
                           "quit"]
    assert len(_mails_to(relay, "lead@example.invalid")) == len(_mails_to(relay, "chief@example.invalid")) == 1
    assert len(relay.sent) == 2  # the caseworker has no address
    assert db.session.query(Notification).filter_by(user_id=cw.id, kind="task_alert").count() == 1  # in-app still

    mail = _mails_to(relay, "lead@example.invalid")[0]
    assert mail["Subject"] == "【つなぎ】対応が必要なタスクがあります"
    assert mail["From"] == "tsunagi@city.example.jp" and mail["Auto-Submitted"] == "auto-generated"
    body = _text(mail)
    assert "「家庭訪問」が必要です" in body
    assert "https://tsunagi.city.example.jp/notifications" in body and "ログイン" in body
    person = case_of(case_id).person
    for mail in relay.sent:
        for detail in (person.name, person.kana, person.address, *person.name.split(), *person.kana.split()):
            assert detail not in _text(mail) and detail not in mail["Subject"]

    assert _run_due(cli, jst(date(2027, 5, 19), 9, 2)) == "fired 0 timer(s)\nemailed 0 notification(s)\n"
    assert len(relay.sent) == 2
    # An address given later brings mail for later alerts only: the caseworker's alert was passed over.
    assert cli("users", "set-email", "cw", "cw@example.invalid").exit_code == 0
    assert _run_due(cli, jst(date(2027, 5, 19), 9, 3)).endswith("emailed 0 notification(s)\n")
    assert _unmailed(cw) == 0 and len(relay.sent) == 2


def test_alerts_from_before_email_was_on_are_mailed_unless_read(app, staff, login, case_in_support, cli, relay):
    lead, chief = staff["lead_worker"], staff["section_chief"]
    cli("users", "set-email", "lead", "lead@example.invalid")
    cli("users", "set-email", "chief", "chief@example.invalid")
    _home_visit_alert(login, staff, case_in_support, cli)
    _run_due(cli, VISIT)  # email off: the alerts wait
    notifications.mark_read(chief)  # the chief has seen it in the app: no mail needed
    app.config.update(MAIL_ON)
    assert _run_due(cli, jst(date(2027, 5, 19), 10)).endswith("emailed 1 notification(s)\n")
    assert [mail["To"] for mail in relay.sent] == ["lead@example.invalid"]
    assert _unmailed(lead) == _unmailed(chief) == 0


def test_a_backlog_older_than_a_week_is_not_mailed(app, staff, login, case_in_support, cli, relay):
    cli("users", "set-email", "lead", "lead@example.invalid")
    _home_visit_alert(login, staff, case_in_support, cli)
    _run_due(cli, VISIT)  # email off
    app.config.update(MAIL_ON)
    later = VISIT + notification_mail.MAIL_WITHIN + timedelta(minutes=1)
    assert _run_due(cli, later).endswith("emailed 0 notification(s)\n")
    assert relay.sent == [] and _unmailed(staff["lead_worker"]) == 0  # passed over for good; still in お知らせ


def test_the_scheduler_mails_overdue_alerts_after_its_sweep(app, staff, case_in_support, cli, relay, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    app.config.update(MAIL_ON)
    cli("users", "set-email", "cw", "cw@example.invalid")
    case_in_support(date(2027, 4, 1))  # monitoring due 5/1
    monkeypatch.setattr(BlockingScheduler, "start", lambda scheduler: scheduler.get_jobs()[0].func(app))
    assert cli("scheduler", when=jst(date(2027, 5, 2), 9)).exit_code == 0
    (mail,) = relay.sent
    assert (mail["To"], mail["Subject"]) == ("cw@example.invalid", "【つなぎ】期限を過ぎたタスクがあります")
    assert "の期限（2027-05-01）を過ぎています" in _text(mail)
    assert cli("scheduler", when=jst(date(2027, 5, 3), 9)).exit_code == 0
    assert len(relay.sent) == 1  # the overdue alert comes once, and so does its mail


def test_a_relay_that_fails_loses_no_alert(app, staff, login, case_in_support, cli, relay, caplog, monkeypatch):
    app.config.update(MAIL_ON)
    # Alembic's fileConfig (tests/test_migrations.py, same process) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("tsunagi.mail"), "disabled", False)
    lead, chief = staff["lead_worker"], staff["section_chief"]
    cli("users", "set-email", "lead", "lead@example.invalid")
    cli("users", "set-email", "chief", "chief@example.invalid")
    _home_visit_alert(login, staff, case_in_support, cli)

    relay.down = True
    with caplog.at_level(logging.WARNING, logger="tsunagi.mail"):
        assert _run_due(cli, VISIT) == "fired 1 timer(s)\nemailed 0 notification(s)\n"
    assert "relay relay.city.example unreachable" in caplog.text
    assert _unmailed(lead) == _unmailed(chief) == 1  # the alerts stand, not marked as mailed

    relay.down, relay.fail_after = False, 1  # the connection breaks after the first mail
    assert _run_due(cli, jst(date(2027, 5, 19), 9, 2)).endswith("emailed 1 notification(s)\n")
    assert _unmailed(lead) + _unmailed(chief) == 1

    relay.fail_after = None
    assert _run_due(cli, jst(date(2027, 5, 19), 9, 3)).endswith("emailed 1 notification(s)\n")
    assert sorted(mail["To"] for mail in relay.sent) == ["chief@example.invalid", "lead@example.invalid"]
    assert _unmailed(lead) == _unmailed(chief) == 0


def test_a_refused_address_does_not_hold_up_the_others(app, staff, login, case_in_support, cli, relay):
    app.config.update(MAIL_ON)
    lead, chief = staff["lead_worker"], staff["section_chief"]
    cli("users", "set-email", "lead", "lead@example.invalid")
    cli("users", "set-email", "chief", "chief@example.invalid")
    _home_visit_alert(login, staff, case_in_support, cli)
    relay.refuse = {"lead@example.invalid": 450}  # greylisted: try again later
    assert _run_due(cli, VISIT).endswith("emailed 1 notification(s)\n")
    assert [mail["To"] for mail in relay.sent] == ["chief@example.invalid"] and _unmailed(lead) == 1
    relay.refuse = {"lead@example.invalid": 550}  # no such mailbox: this mail is given up
    assert _run_due(cli, jst(date(2027, 5, 19), 9, 2)).endswith("emailed 0 notification(s)\n")
    assert _unmailed(lead) == 0 and _unmailed(chief) == 0
    relay.refuse = {}
    assert _run_due(cli, jst(date(2027, 5, 19), 9, 3)).endswith("emailed 0 notification(s)\n")
    assert len(relay.sent) == 1


def test_a_timer_incident_mail_carries_no_error_text(app, staff, case_in_support, cli, relay, monkeypatch):
    app.config.update(MAIL_ON, TIMER_RETRY_BACKOFF_SECONDS=(60,))  # the second failure opens the incident
    cli("users", "set-email", "chief", "chief@example.invalid")
    case_id = case_in_support(date(2026, 11, 1), plan_to=date(2026, 11, 30))
    person = case_of(case_id).person
    error = f"NameError: name 'undefined_variable' is not defined ({person.name} {person.address})"

    def fail():
        raise EngineError(error, "on_plan_end")

    class FailingEngine:
        def load_for_step(self, blob, keep_warm=True):  # what a step loads its workflow with
            running = runtime.engine().load(blob)
            running.fire_due_timers = fail
            return running

    monkeypatch.setattr(steps, "engine", lambda: FailingEngine())
    assert _run_due(cli, jst(date(2026, 12, 1), 9, 1)).endswith("emailed 0 notification(s)\n")  # retrying
    assert _run_due(cli, jst(date(2026, 12, 1), 9, 3)).endswith("emailed 1 notification(s)\n")  # incident
    (mail,) = relay.sent
    assert mail["Subject"] == "【つなぎ】タイマーの処理が失敗しています"
    text = _text(mail)
    assert "タイマーの処理が繰り返し失敗しました" in text
    for detail in ("NameError", "undefined_variable", "on_plan_end", person.name, person.address):
        assert detail not in text


def test_users_create_checks_and_stores_the_address(app, cli):
    result = cli("users", "create", "naka_cw2", "--role", "caseworker", "--ward", "naka",
                 "--password", "long-enough-1", "--email", "not an address")
    assert result.exit_code == 2
    assert "メールアドレスの形式が正しくありません" in result.output
    assert db.session.query(User).filter_by(username="naka_cw2").first() is None

    result = cli("users", "create", "naka_cw2", "--role", "caseworker", "--ward", "naka",
                 "--password", "long-enough-1", "--email", " naka.cw2@city.example.jp ")
    assert result.exit_code == 0, result.output
    assert "email naka.cw2@city.example.jp" in result.output
    assert db.session.query(User).filter_by(username="naka_cw2").one().email == "naka.cw2@city.example.jp"


def test_users_set_email_changes_or_clears_the_address(app, staff, cli):
    assert cli("users", "set-email", "cw", "cw@city.example.jp").exit_code == 0
    assert cli("users", "set-email", "cw", "cw@@city").exit_code == 2
    assert db.session.get(User, staff["caseworker"].id).email == "cw@city.example.jp"
    assert cli("users", "set-email", "cw", "--clear").output == "cw: email -\n"
    assert db.session.get(User, staff["caseworker"].id).email is None
    assert cli("users", "set-email", "cw").exit_code == 2  # neither an address nor --clear
    assert cli("users", "set-email", "cw", "a@b.jp", "--clear").exit_code == 2
    assert cli("users", "set-email", "nobody", "a@b.jp").exit_code == 2


@pytest.mark.parametrize("address", ["a@b.jp", "naka_caseworker@example.invalid", "o'brien+tsunagi@mail.city.jp"])
def test_addresses_a_relay_takes(address):
    from app.services.staff.users import check_email

    assert check_email(address) == address


@pytest.mark.parametrize("address", ["", "plain", "a@b", "@b.jp", "a@b.jp\nBcc: x@y.jp", "a b@c.jp", "a..b@c.jp",
                                     "a@-b.jp", "a@b..jp", "Name <a@b.jp>", "a@b.jp,c@d.jp", "a@1.2.3.4",
                                     "相談@city.jp", "x" * 65 + "@b.jp"])
def test_addresses_refused(address):
    from app.errors import ValidationFailed
    from app.services.staff.users import check_email

    with pytest.raises(ValidationFailed):
        check_email(address)


def test_email_settings_from_the_environment_are_typed(tmp_path, monkeypatch):
    for key, value in (("NOTIFY_EMAIL", "1"), ("SMTP_PORT", "587"), ("SMTP_STARTTLS", "yes"),
                       ("BASE_URL", "https://tsunagi.city.example.jp")):
        monkeypatch.setenv(f"TSUNAGI_{key}", value)
    config = load_config(str(tmp_path), {})
    assert (config["NOTIFY_EMAIL"], config["SMTP_PORT"], config["SMTP_STARTTLS"]) == (True, 587, True)
    assert config["BASE_URL"] == "https://tsunagi.city.example.jp" and config["SMTP_USER"] is None
