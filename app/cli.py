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


class _DiskSet:
    """processes/ read as a version would be (for listing before anything is deployed)."""

    def __init__(self, process_id: str, files: dict[str, str]):
        self.process_id, self.bpmn_files = process_id, files


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

    @users_group.command("set-password")
    @click.argument("name")
    @click.option("--password", default=None, help="Prompted for when omitted.")
    def set_password(name, password):
        """Change NAME's password; every login session of NAME ends."""
        from app.errors import NotFound, ValidationFailed
        from app.services.staff.users import set_password as store

        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            store(name, password)
        except NotFound as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(2) from exc
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                click.echo(f"{field}: {'; '.join(messages)}", err=True)
            raise SystemExit(2) from exc
        click.echo(f"{name}: password changed; every session of {name} has ended")

    @users_group.command("deactivate")
    @click.argument("name")
    def deactivate(name):
        """NAME can no longer log in or use API tokens; every login session of NAME ends."""
        _set_active(name, False)

    @users_group.command("activate")
    @click.argument("name")
    def activate(name):
        """NAME can log in again."""
        _set_active(name, True)

    def _set_active(name, active):
        from app.errors import NotFound
        from app.services.staff.users import set_active

        try:
            set_active(name, active)
        except NotFound as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(2) from exc
        click.echo(f"{name}: {'active' if active else 'deactivated; every session has ended'}")

    @users_group.command("token")
    @click.argument("name")
    @click.option("--days", type=int, default=None, help="Days until it expires (default TOKEN_TTL_DAYS).")
    def issue_token(name, days):
        """Print a new API token for NAME (shown once; only its hash is stored)."""
        from app.errors import NotFound, ValidationFailed
        from app.services.staff.tokens import issue_token as issue

        try:
            raw, token = issue(name, days)
        except (NotFound, ValidationFailed) as exc:
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

    @processes_group.command("list")
    def list_processes():
        """The BPMN files in processes/, the processes they define and call, and the deployed version."""
        from app.errors import NotFound
        from app.services.processes.deploy import current_version, process_files, read_process_files
        from app.services.processes.drafts import version_files

        files = read_process_files(current_app.config["PROCESSES_DIR"])
        main = current_app.config["MAIN_PROCESS_ID"]
        calls = {f.filename: f.calls for f in version_files(_DiskSet(main, files))}
        for name, processes in process_files(files).items():
            for pid, title in processes:
                marker = " (main)" if pid == main else ""
                called = ", ".join(f"{target} [{element}]" for element, target in calls.get(name, []))
                click.echo(f"{name}: {pid}{marker} {title}" + (f" -> calls {called}" if called else ""))
        try:
            version = current_version()
        except NotFound:
            click.echo(f"deployed: none ({main} has not been deployed)")
            return
        same = "same as processes/" if version.bpmn_files == files else "processes/ differs"
        click.echo(f"deployed: {version.process_id} v{version.version} ({len(version.bpmn_files)} file(s), {same})")

    @processes_group.command("check")
    def check():
        """Validate processes/ (every file, as one set) and forms/; exit 1 with the problems when anything is wrong."""
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
        """Deploy every file in processes/ and the forms as one new version (after the same checks)."""
        from app.services.processes.checks import blocking, check_directory
        from app.services.processes.deploy import deploy_from_disk

        errors = blocking(check_directory())
        for problem in errors:  # the same checks as the modeler's deploy
            click.echo(f"error: {problem.file or '-'} [{problem.element_id or '-'}]: {problem.message}", err=True)
        if errors:
            raise SystemExit(1)
        version, created = deploy_from_disk(None, note)
        db.session.commit()
        click.echo(f"{'deployed' if created else 'unchanged'}: {version.process_id} v{version.version} "
                   f"({', '.join(sorted(version.bpmn_files))})")

    @timers_group.command("run-due")
    def run_due():
        """Fire every timer that is due now, raise the overdue alerts (as a scheduler tick does) and print
        how many; then mail alerts, when email is on."""
        from app.services.timers.firing import fire_due_timers
        from app.services.timers.mail import email_enabled, send_pending_email
        from app.services.timers.notifications import sweep_overdue
        from app.services.timers.scheduler import prepare_process, use_scheduler_statement_timeout

        prepare_process()
        use_scheduler_statement_timeout()
        click.echo(f"fired {fire_due_timers()} timer(s)")
        # Cron users have no scheduler: the risk acknowledgement's alert by the minute comes from here.
        alerts = sweep_overdue()
        if alerts:
            click.echo(f"raised {alerts} overdue alert(s)")
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
    @click.option("--reset", is_flag=True, help="Empty the database first (a demo database only).")
    def demo(reset):
        """Load demo users and cases in several states; prints the logins."""
        from app.services.demo.seed import load_demo, reset_demo

        if reset:
            reset_demo()
            click.echo("demo database emptied")
        for line in load_demo():
            click.echo(line)

    from app.cli_audit import audit_group

    for group in (users_group, processes_group, timers_group, audit_group):
        app.cli.add_command(group)
    from app.cli_deadlines import deadlines_group  # per-ward deadline rules and closed days

    app.cli.add_command(deadlines_group)
    from app.cli_privacy import privacy_group  # audited switches of the privacy rules

    app.cli.add_command(privacy_group)
    from app.cli_benefits import benefits_group  # 住居確保給付金: payment runs and lists

    app.cli.add_command(benefits_group)
    from app.cli_rules import rules_group  # programme figures by effective date

    app.cli.add_command(rules_group)
    from app.cli_stats import stats_group, wards_group  # statistics: populations, targets, verify

    app.cli.add_command(wards_group)
    app.cli.add_command(stats_group)
