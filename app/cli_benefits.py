"""`tsunagi benefits …`: the housing benefit's monthly payment run, the finance list, the duty check."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

benefits_group = click.Group("benefits", help="住居確保給付金: payment runs, payment lists, duty checks.")


def _month(value: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value or ""):
        raise click.BadParameter("use YYYY-MM, e.g. 2027-06")
    return value


@benefits_group.command("pay")
@click.option("--month", required=True, callback=lambda _c, _p, v: _month(v), help="YYYY-MM")
def pay(month):
    """Mark the month's scheduled payments paid (each once, however often or wherever it runs)."""
    from app.programs.housing_benefit.payments import pay_month

    click.echo(f"paid {pay_month(month)} payment(s) for {month}")


@benefits_group.command("payment-list")
@click.option("--month", required=True, callback=lambda _c, _p, v: _month(v), help="YYYY-MM")
@click.option("--ward", default=None)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
def payment_list(month, ward, fmt, out):
    """Write the finance section's list: payee, amount, case number, month (nothing else)."""
    from app.programs.housing_benefit import payments

    data = payments.payment_list_xlsx(month, ward) if fmt == "xlsx" else payments.payment_list_csv(month, ward)
    Path(out).write_bytes(data)
    click.echo(f"wrote {len(payments.payment_list(month, ward))} row(s) to {out}")


@benefits_group.command("check-duties")
@click.option("--on", "on_day", default=None, help="ISO date (default: today)")
def check_duties(on_day):
    """Check last month's job-search reports; a month without a compliant one raises a task."""
    from app.programs.housing_benefit.duties import expire_finished, month_start_checks

    day = date.fromisoformat(on_day) if on_day else None
    raised = month_start_checks(day)
    ended = expire_finished(day)
    click.echo(f"raised {raised} task(s), {ended} benefit(s) ended")
