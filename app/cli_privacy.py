"""`tsunagi privacy …`: the audited switches of the privacy rules."""

from __future__ import annotations

import click

privacy_group = click.Group("privacy", help="Privacy rules: masking switches (every change is audited).")


@privacy_group.command("show")
def show():
    """Print the privacy switches in force."""
    from app.services.privacy.settings import settings

    for key, value in settings().items():
        click.echo(f"{key}: {'on' if value else 'off'}")


@privacy_group.command("set")
@click.argument("key")
@click.argument("value", type=click.Choice(["on", "off"]))
@click.option("--by", "username", required=True, help="The admin making the change (recorded).")
@click.option("--reason", required=True, help="Why (recorded in the audit event).")
def set_switch(key, value, username, reason):
    """Turn a switch on or off, e.g. `tsunagi privacy set mask_nhi_as_tax off --by admin --reason "…"`."""
    from app.errors import ServiceError
    from app.extensions import db
    from app.models import User
    from app.services.privacy.settings import set_setting

    user = db.session.query(User).filter_by(username=username).first()
    if user is None:
        raise click.ClickException(f"ユーザー {username} はいません")
    try:
        set_setting(key, value == "on", reason, user)
    except ServiceError as exc:
        detail = "; ".join(m for ms in getattr(exc, "errors", {}).values() for m in ms)
        raise click.ClickException(detail or exc.message) from exc
    click.echo(f"{key}: {value}")
