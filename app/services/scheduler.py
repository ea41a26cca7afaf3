"""`tsunagi scheduler`: APScheduler in its own process, never inside the web workers.

Every tick runs one timer pass and the overdue sweep.  Any number of these processes may run
on any number of hosts: claiming is per case (see timers.py), so ticks never fire twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask

from app.extensions import db

from .notifications import sweep_overdue
from .timers import run_pass

log = logging.getLogger("tsunagi.scheduler")


def tick(app: Flask) -> None:
    with app.app_context():
        try:
            result = run_pass()
            alerts = sweep_overdue()
            if result.fired or result.failed or alerts:
                log.info("fired %s, failed %s, skipped %s, alerts %s",
                         result.fired, result.failed, result.skipped, alerts)
        finally:
            db.session.remove()


def run_scheduler(app: Flask, interval_seconds: int) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)
    # One tick at a time per process; a tick that overran is not queued twice.
    scheduler.add_job(tick, "interval", args=[app], seconds=interval_seconds, max_instances=1,
                      coalesce=True, next_run_time=datetime.now(UTC), id="timers")
    scheduler.start()
