"""`tsunagi` (also `python -m app`): the Flask command line of this app, with its own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from app import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main():
    """tsunagi — 自立相談支援のケース管理とワークフロー"""


if __name__ == "__main__":
    main()
