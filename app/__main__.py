"""`tsunagi` (also `python -m app`): the Flask command line of this app, with its own commands."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from app import create_app
from app.config import InsecureConfiguration


def _create_app():
    # An unsafe configuration is the operator's to fix: a plain message and a failing exit
    # status, not a traceback.
    try:
        return create_app()
    except InsecureConfiguration as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """tsunagi — 自立相談支援のケース管理とワークフロー"""


if __name__ == "__main__":
    main()
