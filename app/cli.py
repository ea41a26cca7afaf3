"""The `tsunagi` command: the Flask CLI for this app (contract §4)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from app.extensions import db


def _create_app():
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """tsunagi — 自立相談支援のケース管理とワークフロー"""


def register_cli(app: Flask) -> None:
    users_group = click.Group("users", help="Staff accounts.")
    processes_group = click.Group("processes", help="BPMN processes and forms.")
    timers_group = click.Group("timers", help="Process timers.")

    @users_group.command("create")
    @click.argument("name")
    @click.option("--role", "roles", multiple=True, required=True, help="Role code (repeatable).")
    @click.option("--ward", default=None, help="Ward code; city bureau staff have none.")
    @click.option("--password", default=None, help="Prompted for when omitted.")
    def create_user(name, roles, ward, password):
        from app.services.errors import ValidationFailed
        from app.services.users import create_user as create

        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create(name, list(roles), ward, password)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                click.echo(f"{field}: {'; '.join(messages)}", err=True)
            raise SystemExit(2) from exc
        click.echo(f"created user {user.username} ({' '.join(sorted(user.roles))}, ward {user.ward or '-'})")

    @processes_group.command("check")
    def check():
        """Validate processes/ and forms/; exit 1 with the problems when anything is wrong."""
        from app.services.process_checks import check_directory

        problems = check_directory()
        for problem in problems:
            where = f" [{problem.element_id}]" if problem.element_id else ""
            click.echo(f"{problem.file or '-'}{where}: {problem.message}", err=True)
        if problems:
            raise SystemExit(1)
        click.echo("processes and forms: OK")

    @processes_group.command("deploy")
    @click.option("--note", default=None)
    def deploy(note):
        from app.services.processes import deploy_from_disk

        version, created = deploy_from_disk(None, note)
        db.session.commit()
        click.echo(f"{'deployed' if created else 'unchanged'}: {version.process_id} v{version.version}")

    @timers_group.command("run-due")
    def run_due():
        """Fire every timer that is due now and print how many fired."""
        from app.services.timers import fire_due_timers

        click.echo(f"fired {fire_due_timers()} timer(s)")

    @app.cli.command("demo")
    def demo():
        """Load demo users and cases in several states; prints the logins."""
        from app.services.demo import load_demo

        for line in load_demo():
            click.echo(line)

    for group in (users_group, processes_group, timers_group):
        app.cli.add_command(group)
