"""`tsunagi deadlines …`: per-ward deadline rules and closed days."""

from __future__ import annotations

from datetime import date

import click

deadlines_group = click.Group("deadlines", help="Deadline rules and office closed days.")


@deadlines_group.command("show")
@click.option("--ward", default=None)
@click.option("--on", "on_day", default=None, help="ISO date (default: today).")
def show(ward, on_day):
    """Print the rules in force for a ward on a day."""
    from app.clock import today
    from app.lifecycle.deadlines import DEFAULT_RULES, rule_for

    day = date.fromisoformat(on_day) if on_day else today()
    for name in DEFAULT_RULES:
        rule = rule_for(name, ward, day)
        click.echo(f"{name}: {rule.days} {'business days' if rule.business_days else 'days'}")


@deadlines_group.command("set")
@click.argument("rule")
@click.argument("days", type=int)
@click.option("--business-days", is_flag=True, help="Count business days only.")
@click.option("--from", "effective_from", required=True, help="ISO date the rule applies from.")
@click.option("--ward", default=None, help="Ward code; omit for every ward.")
def set_rule(rule, days, business_days, effective_from, ward):
    """Override RULE with DAYS from a date on (for one ward or all)."""
    from app.services.timers.deadline_rules import set_rule as store

    try:
        store(rule, days, business_days, date.fromisoformat(effective_from), ward)
    except (KeyError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"{rule}: {days} {'business days' if business_days else 'days'} from {effective_from} "
               f"({ward or 'all wards'})")


@deadlines_group.command("close")
@click.argument("day")
@click.option("--ward", default=None, help="Ward code; omit for every ward.")
@click.option("--note", default=None)
def close(day, ward, note):
    """Mark DAY (ISO date) as a day the office is closed."""
    from app.services.timers.deadline_rules import add_closed_day

    add_closed_day(date.fromisoformat(day), ward, note)
    click.echo(f"closed: {day} ({ward or 'all wards'})")
