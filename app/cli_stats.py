"""`tsunagi wards …` and `tsunagi stats …`: populations, 目安値, reconciliation."""

from __future__ import annotations

import click

from app.errors import ValidationFailed

wards_group = click.Group("wards", help="Ward data (populations for the statistics).")
stats_group = click.Group("stats", help="National statistics (支援状況調査).")


def _fail(exc: ValidationFailed):
    for field, messages in exc.errors.items():
        click.echo(f"{field}: {'; '.join(messages)}", err=True)
    raise SystemExit(2) from exc


@wards_group.command("set-population")
@click.argument("ward")
@click.argument("population", type=int)
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The official base date of the figure (YYYY-MM-DD).")
def set_population(ward, population, as_of):
    """WARD (or `city`) had POPULATION people on the base date."""
    from app.services.statistics.settings import set_population as store

    try:
        row = store(ward, population, as_of.date())
    except ValidationFailed as exc:
        _fail(exc)
    click.echo(f"{row.ward}: population {row.population} as of {row.as_of.isoformat()}")


@stats_group.command("set-target")
@click.argument("fiscal_year", type=int)
@click.option("--new-consultations", type=float, required=True)
@click.option("--plans", type=float, required=True)
@click.option("--employment-support-targets", type=float, required=True)
def set_target(fiscal_year, new_consultations, plans, employment_support_targets):
    """The 目安値 (per 100,000 a month) of FISCAL_YEAR, in force until a later year is set."""
    from app.services.statistics.settings import set_target as store

    try:
        row = store(fiscal_year, new_consultations, plans, employment_support_targets)
    except ValidationFailed as exc:
        _fail(exc)
    click.echo(f"FY{row.fiscal_year}: {float(row.new_consultations):g} / {float(row.plans):g} / "
               f"{float(row.employment_support_targets):g}")


@stats_group.command("verify")
@click.option("--month", default=None, help="Only this month (YYYY-MM).")
def verify(month):
    """Recompute every counter from the records; exit 1 when one differs from what the pages show."""
    from app.services.statistics.verify import differences

    try:
        found = differences(month)
    except ValidationFailed as exc:
        _fail(exc)
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"{len(found)} counter(s) differ from the records", err=True)
        raise SystemExit(1)
    click.echo("ok: every counter matches the records")


@stats_group.command("rebuild")
def rebuild():
    """Recompute all stored counters from the records (after a bulk load)."""
    from app.extensions import db
    from app.services.statistics.facts import rebuild as run

    count = run()
    db.session.commit()
    click.echo(f"{count} counted events stored")
