"""`tsunagi demo`: a living ward in two wards — one demo user per role, different people and
addresses per ward, cases opened over the past months so that due dates fall around today."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from app.clock import JST, today
from app.engine import engine_time
from app.extensions import db
from app.models import Case, HumanTask, User
from app.services.cases.actions import run_action
from app.services.cases.opening import start_case
from app.services.cases.tasks import submit_task
from app.services.demo.samples import sample
from app.services.processes import deploy_from_disk
from app.services.staff.users import create_user
from app.services.timers.firing import fire_due_timers

DEMO_PASSWORD = "tsunagi-demo"
WARDS = ("naka", "minami")
ROLE_USERS = (
    ("caseworker", "相談支援員"), ("lead_worker", "主任相談支援員"), ("section_chief", "係長"),
    ("budget_advisor", "家計改善支援員"), ("employment_navigator", "就労支援員"), ("provider", "事業者"),
    ("mental_health", "精神保健福祉担当"), ("pa_worker", "生活保護担当CW"),
)
CITY_USERS = (("process_owner", "プロセス管理者"), ("auditor", "監査担当"), ("stats_viewer", "健康福祉局"),
              ("referrer", "区税務課"), ("admin", "システム管理者"))
STAFF_NAMES = {
    "naka": ("佐藤 美咲", "鈴木 大輔", "高橋 恵子", "田中 由美", "伊藤 健", "渡辺 里奈", "山本 聡", "中村 彩"),
    "minami": ("小林 陽子", "加藤 誠", "吉田 和子", "山田 翔太", "佐々木 舞", "山口 浩", "松本 愛", "井上 拓也"),
}
# (name, kana, birth date, address) — different people in each ward, at addresses in that ward.
PEOPLE = {
    "naka": (
        ("港 一郎", "ミナト イチロウ", "1968-04-12", "横浜市中区山下町12-3"),
        ("桜木 二郎", "サクラギ ジロウ", "1985-09-30", "横浜市中区花咲町2-7"),
        ("関内 三子", "カンナイ ミツコ", "1959-01-22", "横浜市中区相生町4-15"),
        ("元町 四郎", "モトマチ シロウ", "1992-07-08", "横浜市中区元町3-118"),
        ("山手 五月", "ヤマテ サツキ", "1976-05-05", "横浜市中区山手町9-2"),
        ("石川 七海", "イシカワ ナナミ", "2001-11-17", "横浜市中区石川町1-21"),
        ("本牧 八郎", "ホンモク ハチロウ", "1954-03-03", "横浜市中区本牧町2-340"),
        ("日ノ出 六太", "ヒノデ ロクタ", "1988-12-24", "横浜市中区日ノ出町1-64"),
        ("寿 九美", "コトブキ クミ", "1963-08-19", "横浜市中区松影町3-11"),
    ),
    "minami": (
        ("弘明 太郎", "グミョウ タロウ", "1971-02-14", "横浜市南区弘明寺町150"),
        ("蒔田 花", "マイタ ハナ", "1990-06-01", "横浜市南区宿町2-49"),
        ("井土ケ谷 進", "イドガヤ ススム", "1957-10-10", "横浜市南区井土ケ谷中町88"),
        ("六ツ川 明美", "ムツカワ アケミ", "1982-04-27", "横浜市南区六ツ川1-731"),
        ("永田 誠二", "ナガタ セイジ", "1966-09-09", "横浜市南区永田東3-2"),
        ("浦舟 若菜", "ウラフネ ワカナ", "1998-03-15", "横浜市南区浦舟町4-57"),
        ("別所 健一", "ベッショ ケンイチ", "1950-12-01", "横浜市南区別所2-18"),
        ("大岡 良子", "オオオカ ヨシコ", "1979-07-21", "横浜市南区大岡5-6"),
        ("中里 康", "ナカザト ヤスシ", "1986-01-30", "横浜市南区中里1-9"),
    ),
}


def _user(username: str, role: str, ward: str | None, display_name: str) -> User:
    existing = db.session.query(User).filter_by(username=username).first()
    return existing or create_user(username, [role], ward, DEMO_PASSWORD, display_name=display_name)


@contextmanager
def _on(day: date, hour: int = 10) -> Iterator[None]:
    """Record what follows as if it happened on `day` (the app clock and the engine's timers, so
    that replay sees the same times; for the demo only)."""
    extensions = current_app.extensions
    previous = extensions["tsunagi.clock"]
    moment = datetime.combine(day, time(hour), JST).astimezone(UTC)
    extensions["tsunagi.clock"] = lambda: moment
    try:
        with engine_time(moment):
            yield
    finally:
        extensions["tsunagi.clock"] = previous


def _complete(case: Case, form_key: str, user: User, day: date, **overrides) -> None:
    task = (db.session.query(HumanTask).filter_by(case_id=case.id, status="open", form_key=form_key)
            .order_by(HumanTask.id).first())
    data = sample(form_key, day, **overrides)
    if form_key == "service_record":
        data["service"] = task.instance_item
    with _on(day):
        submit_task(task.id, data, user)


def load_demo() -> list[str]:
    deploy_from_disk(None, "demo")
    db.session.commit()
    if db.session.query(User).filter_by(username="naka_caseworker").first() is not None:
        return ["demo data is already loaded (tsunagi demo --reset starts again)", *_logins()]
    users = {}
    for ward in WARDS:
        for (role, role_label), name in zip(ROLE_USERS, STAFF_NAMES[ward], strict=True):
            users[(ward, role)] = _user(f"{ward}_{role}", role, ward, f"{name}（{role_label}）")
    for role, role_label in CITY_USERS:
        _user(role, role, None, role_label)
    for ward in WARDS:
        _demo_cases(ward, users)
    return _logins()


def _demo_cases(ward: str, users: dict) -> None:
    cw, lead = users[(ward, "caseworker")], users[(ward, "lead_worker")]
    people = iter(PEOPLE[ward])
    now = today()

    def opened(days_ago: int, **intake) -> tuple[Case, date]:
        day = now - timedelta(days=days_ago)
        name, kana, born, address = next(people)
        with _on(day, 9):
            case = start_case(ward, cw)
        _complete(case, "intake", cw, day, person_name=name, person_kana=kana, birth_date=born, address=address,
                  **intake)
        return case, day

    with _on(now, 9):
        start_case(ward, cw)  # a walk-in at the desk this morning: intake
    opened(3)  # assessment, due soon
    case, day = opened(20)  # assessment overdue
    case, day = opened(24)  # plan draft
    _complete(case, "assessment", cw, day + timedelta(days=5))
    case, day = opened(32)  # plan waiting for the meeting
    _complete(case, "assessment", cw, day + timedelta(days=6))
    _complete(case, "plan", cw, day + timedelta(days=14), next_monitoring_on=(now + timedelta(days=20)).isoformat())
    case, day = opened(75)  # in support: monitoring due in a few days
    _complete(case, "assessment", cw, day + timedelta(days=7))
    _complete(case, "plan", cw, day + timedelta(days=14), next_monitoring_on=(now + timedelta(days=3)).isoformat())
    _complete(case, "coordination_meeting", lead, day + timedelta(days=21))
    _complete(case, "service_record", users[(ward, "budget_advisor")], day + timedelta(days=25))
    with _on(day + timedelta(days=30)):
        run_action(case.id, "record_progress", sample("progress_note", day + timedelta(days=30)), cw)
    case, day = opened(160)  # in support with a monitoring already done; the next one is overdue
    _complete(case, "assessment", cw, day + timedelta(days=7))
    _complete(case, "plan", cw, day + timedelta(days=14), next_monitoring_on=(day + timedelta(days=60)).isoformat(),
              plan_to=(now + timedelta(days=20)).isoformat())
    _complete(case, "coordination_meeting", lead, day + timedelta(days=21))
    _complete(case, "monitoring", cw, day + timedelta(days=60),
              next_monitoring_on=(now - timedelta(days=4)).isoformat())
    case, day = opened(215)  # the plan period ended three days ago: the evaluation is open
    plan_from = day + timedelta(days=14)
    _complete(case, "assessment", cw, day + timedelta(days=7))
    _complete(case, "plan", cw, plan_from, plan_to=(now - timedelta(days=3)).isoformat(),
              next_monitoring_on=(plan_from + timedelta(days=30)).isoformat())
    _complete(case, "coordination_meeting", lead, day + timedelta(days=21))
    with _on(now, 8):
        fire_due_timers()  # the plan-end timer, if the engine has not already passed it
    case, day = opened(120, worries=["income", "housing"])  # closed: handed to public assistance
    _complete(case, "assessment", cw, day + timedelta(days=2), likely_public_assistance=True)
    _complete(case, "pa_handoff", cw, day + timedelta(days=3))
    opened(140, screening_result="info_only", applied=False, consent_scopes=[])  # closed: information only


def _logins() -> list[str]:
    lines = ["", f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:"]
    for ward in WARDS:
        lines.append("  " + "  ".join(f"{ward}_{role}" for role, _ in ROLE_USERS))
    lines.append("  " + "  ".join(role for role, _ in CITY_USERS))
    lines.append("Log in at the address `tsunagi run` prints, e.g. as naka_caseworker.")
    return lines


def reset_demo() -> None:
    """Empty every table (the demo database only): `tsunagi demo --reset`."""
    engine = db.engine
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            guarded = connection.exec_driver_sql(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal").scalars().all()
            for name in guarded:
                connection.exec_driver_sql(f"ALTER TABLE {name} DISABLE TRIGGER USER")
            for statement in deletes:
                connection.exec_driver_sql(statement)
            for name in guarded:
                connection.exec_driver_sql(f"ALTER TABLE {name} ENABLE TRIGGER USER")
        else:
            for statement in deletes:
                connection.exec_driver_sql(statement)
    db.session.remove()
