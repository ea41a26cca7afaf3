"""The commands of the `tsunagi` command line, registered on each app by create_app."""

from __future__ import annotations

from datetime import UTC

import click
from flask import Flask, current_app

from app.extensions import db


def _email_option(ctx, param, value):
    """A malformed address is a usage error, before any password prompt."""
    if value is None:
        return None
    from app.errors import ValidationFailed
    from app.services.staff.users import check_email

    try:
        return check_email(value)
    except ValidationFailed as exc:
        raise click.BadParameter(exc.errors["email"][0]) from exc


def register_cli(app: Flask) -> None:
    users_group = click.Group("users", help="Staff accounts.")
    processes_group = click.Group("processes", help="BPMN processes and forms.")
    timers_group = click.Group("timers", help="Process timers.")

    @users_group.command("create")
    @click.argument("name")
    @click.option("--role", "roles", multiple=True, required=True, help="Role code (repeatable).")
    @click.option("--ward", default=None, help="Ward code; city bureau staff have none.")
    @click.option("--password", default=None, help="Prompted for when omitted.")
    @click.option("--email", default=None, callback=_email_option, help="Address for notification mail.")
    def create_user(name, roles, ward, password, email):
        from app.errors import ValidationFailed
        from app.services.staff.users import create_user as create

        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create(name, list(roles), ward, password, email=email)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                click.echo(f"{field}: {'; '.join(messages)}", err=True)
            raise SystemExit(2) from exc
        click.echo(f"created user {user.username} ({' '.join(sorted(user.roles))}, ward {user.ward or '-'}"
                   f"{', email ' + user.email if user.email else ''})")

    @users_group.command("set-email")
    @click.argument("name")
    @click.argument("address", required=False, callback=_email_option)
    @click.option("--clear", is_flag=True, help="Remove the address: in-app notifications only.")
    def set_email(name, address, clear):
        """Set or change (ADDRESS) or remove (--clear) where NAME's notification mail goes."""
        from app.errors import NotFound
        from app.services.staff.users import set_email as store

        if (address is None) == (not clear):
            raise click.UsageError("give either ADDRESS or --clear")
        try:
            user = store(name, address)
        except NotFound as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(2) from exc
        click.echo(f"{user.username}: email {user.email or '-'}")

    @users_group.command("token")
    @click.argument("name")
    @click.option("--days", type=int, default=None, help="Days until it expires (default TOKEN_TTL_DAYS).")
    def issue_token(name, days):
        """Print a new API token for NAME (shown once; only its hash is stored)."""
        from app.errors import NotFound
        from app.services.staff.tokens import issue_token as issue

        try:
            raw, token = issue(name, days)
        except NotFound as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(2) from exc
        click.echo(raw)
        expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=UTC)
        click.echo(f"expires {expires.isoformat()}", err=True)  # stderr: stdout holds only the token

    @users_group.command("revoke-tokens")
    @click.argument("name")
    def revoke_tokens(name):
        """Revoke every API token of NAME."""
        from app.errors import NotFound
        from app.services.staff.tokens import revoke_tokens as revoke

        try:
            count = revoke(name)
        except NotFound as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(2) from exc
        click.echo(f"revoked {count} token(s) of {name}")

    @processes_group.command("check")
    def check():
        """Validate processes/ and forms/; exit 1 with the problems when anything is wrong."""
        from app.services.processes.checks import blocking, check_directory

        problems = check_directory()
        for problem in problems:
            where = f" [{problem.element_id}]" if problem.element_id else ""
            click.echo(f"{problem.severity}: {problem.file or '-'}{where}: {problem.message}", err=True)
        if blocking(problems):
            raise SystemExit(1)
        click.echo(f"processes and forms: OK ({len(problems)} warning(s))")

    @processes_group.command("deploy")
    @click.option("--note", default=None)
    def deploy(note):
        from app.services.processes.checks import blocking, check_directory
        from app.services.processes.deploy import deploy_from_disk

        errors = blocking(check_directory())
        for problem in errors:  # the same checks as the modeler's deploy
            click.echo(f"error: {problem.file or '-'} [{problem.element_id or '-'}]: {problem.message}", err=True)
        if errors:
            raise SystemExit(1)
        version, created = deploy_from_disk(None, note)
        db.session.commit()
        click.echo(f"{'deployed' if created else 'unchanged'}: {version.process_id} v{version.version}")

    @timers_group.command("run-due")
    def run_due():
        """Fire every timer that is due now and print how many fired (then mail alerts, when email is on)."""
        from app.services.timers.firing import fire_due_timers
        from app.services.timers.mail import email_enabled, send_pending_email
        from app.services.timers.scheduler import prepare_process, use_scheduler_statement_timeout

        prepare_process()
        use_scheduler_statement_timeout()
        click.echo(f"fired {fire_due_timers()} timer(s)")
        if email_enabled():
            click.echo(f"emailed {send_pending_email()} notification(s)")

    @timers_group.command("incidents")
    def incidents():
        """List timers that kept failing (open incidents)."""
        from app.services.timers.firing import open_incidents

        for incident in open_incidents():
            click.echo(f"case {incident.case_id}: {incident.attempts} attempt(s) [{incident.element_id or '-'}] "
                       f"{incident.last_error}")

    @timers_group.command("retry")
    @click.argument("case_id", type=int)
    def retry(case_id):
        """Re-arm a case whose timer incident an operator has dealt with."""
        from app.services.timers.firing import retry_incident

        if not retry_incident(case_id):
            raise SystemExit(f"case {case_id} has no open timer incident")
        click.echo(f"case {case_id}: timers will fire on the next pass")

    @app.cli.command("scheduler")
    @click.option("--interval", default=30, show_default=True, help="Seconds between passes.")
    def scheduler(interval):
        """Run the timer scheduler in this process (run it separately from the web workers)."""
        from app.services.timers.scheduler import prepare_process, run_scheduler, use_scheduler_statement_timeout

        prepare_process()
        use_scheduler_statement_timeout()
        click.echo(f"scheduler: a pass every {interval} s (Ctrl-C stops)")
        run_scheduler(current_app._get_current_object(), interval)

    @app.cli.command("demo")
    def demo():
        """Load demo users and cases in several states; prints the logins."""
        from app.services.demo.seed import load_demo

        for line in load_demo():
            click.echo(line)

    from app.cli_audit import audit_group

    for group in (users_group, processes_group, timers_group, audit_group):
        app.cli.add_command(group)
    from app.cli_deadlines import deadlines_group  # per-ward deadline rules and closed days

    app.cli.add_command(deadlines_group)
    from app.cli_privacy import privacy_group  # audited switches of the privacy rules

    app.cli.add_command(privacy_group)
