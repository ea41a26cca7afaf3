"""`tsunagi audit verify [--case N]` and `tsunagi audit replay CASE --verify`."""

from __future__ import annotations

import sys

import click

audit_group = click.Group("audit", help="Audit trail: hash-chain checks and deterministic replay.")


@audit_group.command("verify")
@click.option("--case", "case_id", type=int, default=None, help="Check only this case's chain.")
def verify(case_id):
    """Walk the audit hash chains; exit 1 and print the first broken link of each broken chain."""
    from app.services.audit.chain import count_events
    from app.services.audit.chain import verify as verify_chains

    if case_id is None:
        # Every chain can be millions of events: show how far the walk has come (on stderr).
        with click.progressbar(length=count_events(), label="verifying audit events", file=sys.stderr,
                               show_pos=True) as bar:
            report = verify_chains(None, progress=bar.update)
    else:
        report = verify_chains(case_id)
    for problem in report.problems:
        click.echo(f"BROKEN {problem}", err=True)
    if case_id is not None and report.chains == 0:
        click.echo(f"case {case_id}: no audit events", err=True)
        raise SystemExit(1)
    if not report.ok:
        raise SystemExit(1)
    for chain, head in sorted(report.heads.items()) if case_id is not None else []:
        click.echo(f"{chain} head {head}")
    click.echo(f"audit chains OK: {report.chains} chain(s), {report.events} event(s)")


@audit_group.command("replay")
@click.argument("case_id", type=int)
@click.option("--verify", "check", is_flag=True, help="Compare with the stored state; exit 1 on any difference.")
def replay(case_id, check):
    """Re-execute CASE's workflow from its recorded events on its pinned process version."""
    from app.extensions import db
    from app.models import Case
    from app.services.audit.replay import describe_at, replay_case

    case = db.session.get(Case, case_id)
    if case is None:
        click.echo(f"case {case_id} does not exist", err=True)
        raise SystemExit(2)
    result = replay_case(case)
    for step in result.steps:
        click.echo(describe_at(step))
    click.echo(f"replayed {len(result.steps)} step(s) of case {case_id} on process version v{result.process_version}")
    if not result.ok:
        click.echo(f"DIVERGED at step #{result.first_diverging_sequence}", err=True)
        for line in result.divergences:
            click.echo(f"  {line}", err=True)
        if check:
            raise SystemExit(1)
    elif check:
        click.echo("replay matches the stored state")
