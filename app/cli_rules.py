"""`tsunagi rules …`: the programmes' figures by effective date (every change is audited)."""

from __future__ import annotations

import json
from datetime import date

import click

rules_group = click.Group("rules", help="Programme rules (figures by effective date); changes are audited.")


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value} は YYYY-MM-DD の日付ではありません", param_hint=name) from exc


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def _print_housing_benefit(rules) -> None:
    from app.programs.rules import household_figures

    content = rules.content
    click.echo("世帯人数  基準額      家賃上限    収入基準額(上限)  資産基準額")
    for size in sorted(int(k) for k in content["by_household_size"]):
        row = household_figures(rules, size)
        click.echo(f"{size:>4}人  {_yen(row['base_amount']):>10}  {_yen(row['rent_ceiling']):>9}  "
                   f"{_yen(row['income_limit_max']):>14}  {_yen(row['asset_limit']):>10}")
    cap = _yen(content["asset_cap"])
    click.echo(f"資産基準額 = 基準額 × {content['asset_multiplier']}（上限 {cap}）・いずれも「以下」")
    duties = content["duties"]
    click.echo(f"求職活動（月あたり）: 面談 {duties['desk_interviews']}回以上、ハローワーク職業相談 "
               f"{duties['hello_work_sessions']}回以上、応募のある週 {duties['weeks_with_application']}週以上")
    window = content["job_loss_window"]
    click.echo(f"離職・廃業からの期間: {window['years']}年以内（{window['incapacity_min_days']}日以上の"
               f"就労不能期間で延長、上限 {window['cap_years']}年）")
    click.echo(f"支給期間: {content['months_per_grant']}か月、延長 {content['max_extensions']}回まで")
    effective = {"next_month": "事由の翌月から", "same_month": "事由の月から"}.get(content["stop_effective"],
                                                                               content["stop_effective"])
    click.echo(f"中止の効力: {effective}")


@rules_group.command("show")
@click.argument("name")
@click.option("--on", "on", help="The day the rules are asked for (YYYY-MM-DD; default today).")
def show(name, on):
    """Print the version of NAME in force on a day, e.g. `tsunagi rules show housing_benefit --on 2027-04-01`."""
    from app.clock import today
    from app.errors import ServiceError
    from app.programs.rules import rules_in_force

    day = _date(on, "--on") or today()
    try:
        rules = rules_in_force(name, day)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{name}: {rules.label}（{rules.effective_from.isoformat()} から有効）")
    if rules.note:
        click.echo(f"備考: {rules.note}")
    if name == "housing_benefit":
        _print_housing_benefit(rules)
    else:
        click.echo(json.dumps(rules.content, ensure_ascii=False, indent=2))


@rules_group.command("set")
@click.argument("name")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A JSON file with the whole content of the new version.")
@click.option("--effective", required=True, help="The day the version comes into force (YYYY-MM-DD).")
@click.option("--by", "username", required=True, help="The admin making the change (recorded).")
@click.option("--note", help="Why (recorded with the version and in the audit event).")
def set_version(name, path, effective, username, note):
    """Add a version of NAME in force from a day (admin only; audited)."""
    from app.errors import ServiceError
    from app.extensions import db
    from app.models import User
    from app.programs.rules import set_rules

    user = db.session.query(User).filter_by(username=username).first()
    if user is None:
        raise click.ClickException(f"ユーザー {username} はいません")
    try:
        with open(path, encoding="utf-8") as handle:
            content = json.load(handle)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path} を JSON として読めません: {exc}") from exc
    try:
        rules = set_rules(name, content, _date(effective, "--effective"), user, note)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        detail = "; ".join(f"{k}: {m}" for k, ms in getattr(exc, "errors", {}).items() for m in ms)
        raise click.ClickException(detail or exc.message) from exc
    click.echo(f"{rules.label} を登録しました")
