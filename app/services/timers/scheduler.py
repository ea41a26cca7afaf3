"""`tsunagi scheduler`: APScheduler in its own process, never inside the web workers.

Every tick runs one timer pass and the overdue sweep, then mails the alerts they committed
(notification_mail.py; off by default).  Any number of these processes may run on any number of
hosts: claiming is per case (see timers.py), so ticks never fire twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, current_app

from app.extensions import db
from app.gc_tuning import tune_long_running_process
from app.lifecycle.calendar import rules_cached
from app.programs.housing_benefit.duties import expire_finished, month_start_checks
from app.services.timers.firing import run_pass
from app.services.timers.mail import send_pending_email
from app.services.timers.notifications import sweep_overdue

log = logging.getLogger("tsunagi.scheduler")


def prepare_process() -> None:
    """Tune the garbage collector for a process that fires timers (`run-due`, `scheduler`), as a
    web worker is tuned (`app.gc_tuning`); done once per process."""
    tune_long_running_process()


def use_scheduler_statement_timeout() -> None:
    """A pass may fire many timers in one statement's reach: this process's PostgreSQL sessions get
    the scheduler's (longer) statement timeout instead of the web workers' one."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    milliseconds = int(current_app.config["DB_SCHEDULER_STATEMENT_TIMEOUT_MS"])

    def longer_timeout(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {milliseconds}")
        dbapi_connection.commit()  # a SET inside a transaction rolled back would be undone

    sa.event.listen(engine, "connect", longer_timeout)
    engine.dispose()  # connections made before this carry the web workers' timeout


def tick(app: Flask) -> None:
    with app.app_context():
        try:
            with rules_cached():  # one read of the deadline rules and closed days per tick
                result = run_pass()
                alerts = sweep_overdue()
                hb_tasks = month_start_checks()  # 住居確保給付金: last month's job-search reports (once each)
                expire_finished()  # after the checks: a follow-up task of the last month keeps it open
            emailed = send_pending_email()  # after the commits above; a relay failure only logs
            if result.fired or result.failed or alerts or emailed or hb_tasks:
                log.info("fired %s, failed %s, skipped %s, alerts %s, emailed %s, duty tasks %s",
                         result.fired, result.failed, result.skipped, alerts, emailed, hb_tasks)
        finally:
            db.session.remove()


def run_scheduler(app: Flask, interval_seconds: int) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)
    # One tick at a time per process; a tick that overran is not queued twice.
    scheduler.add_job(tick, "interval", args=[app], seconds=interval_seconds, max_instances=1,
                      coalesce=True, next_run_time=datetime.now(UTC), id="timers")
    scheduler.start()
