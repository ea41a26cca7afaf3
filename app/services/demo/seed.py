"""`tsunagi demo`: demo users in two wards and cases in several states."""

from __future__ import annotations

from app.clock import today
from app.extensions import db
from app.models import Case, HumanTask, User
from app.services.cases.actions import run_action
from app.services.cases.opening import start_case
from app.services.cases.tasks import submit_task
from app.services.demo.samples import sample
from app.services.processes import deploy_from_disk
from app.services.staff.users import create_user

DEMO_PASSWORD = "tsunagi-demo"
WARDS = ("naka", "minami")
ROLE_USERS = (
    ("caseworker", "相談支援員"), ("lead_worker", "主任相談支援員"), ("section_chief", "係長"),
    ("budget_advisor", "家計改善支援員"), ("employment_navigator", "就労支援員"), ("provider", "事業者"),
)
CITY_USERS = (("process_owner", "プロセス管理者"), ("auditor", "監査担当"), ("stats_viewer", "健康福祉局"))


def _user(username: str, role: str, ward: str | None, label: str) -> User:
    existing = db.session.query(User).filter_by(username=username).first()
    return existing or create_user(username, [role], ward, DEMO_PASSWORD, display_name=label)


def _complete(case: Case, form_key: str, user: User, **overrides) -> None:
    task = (
        db.session.query(HumanTask)
        .filter_by(case_id=case.id, status="open", form_key=form_key)
        .order_by(HumanTask.id)
        .first()
    )
    data = sample(form_key, today(), **overrides)
    if form_key == "service_record":
        data["service"] = task.instance_item
    submit_task(task.id, data, user)


def load_demo() -> list[str]:
    deploy_from_disk(None, "demo")
    db.session.commit()
    if db.session.query(User).filter_by(username="naka_caseworker").first() is not None:
        return ["demo data is already loaded", *_logins()]
    users = {}
    for ward in WARDS:
        for role, label in ROLE_USERS:
            users[(ward, role)] = _user(f"{ward}_{role}", role, ward, f"{label}（{ward}）")
    for role, label in CITY_USERS:
        _user(role, role, None, label)
    for ward in WARDS:
        _demo_cases(ward, users)
    return _logins()


def _demo_cases(ward: str, users: dict) -> None:
    cw = users[(ward, "caseworker")]
    lead = users[(ward, "lead_worker")]
    start_case(ward, cw)  # intake
    names = iter([("港 一郎", "ミナト イチロウ"), ("桜木 二郎", "サクラギ ジロウ"), ("関内 三子", "カンナイ ミツコ"),
                  ("元町 四郎", "モトマチ シロウ"), ("山手 五月", "ヤマテ サツキ"),
                  ("石川 七海", "イシカワ ナナミ"), ("吉田 八郎", "ヨシダ ハチロウ")])

    def opened():
        name, kana = next(names)
        case = start_case(ward, cw)
        _complete(case, "intake", cw, person_name=name, person_kana=kana)
        return case

    opened()  # assessment
    case = opened()  # meeting (plan v1 waiting for the meeting)
    _complete(case, "assessment", cw)
    _complete(case, "plan", cw)
    case = opened()  # plan draft
    _complete(case, "assessment", cw)
    case = opened()  # decided (support decided, delivery not started)
    _complete(case, "assessment", cw)
    _complete(case, "plan", cw)
    _complete(case, "coordination_meeting", lead)
    case = opened()  # in support
    _complete(case, "assessment", cw)
    _complete(case, "plan", cw)
    _complete(case, "coordination_meeting", lead)
    _complete(case, "service_record", users[(ward, "budget_advisor")])
    run_action(case.id, "record_progress", sample("progress_note", today()), cw)
    case = opened()  # closed: public assistance
    _complete(case, "assessment", cw, likely_public_assistance=True)
    _complete(case, "pa_handoff", cw)
    name_case = start_case(ward, cw)  # closed: information only
    _complete(name_case, "intake", cw, person_name="日ノ出 六太", person_kana="ヒノデ ロクタ",
              screening_result="info_only", applied=False, consent_scopes=[])


def _logins() -> list[str]:
    lines = ["", f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:"]
    for ward in WARDS:
        lines.append("  " + "  ".join(f"{ward}_{role}" for role, _ in ROLE_USERS))
    lines.append("  " + "  ".join(role for role, _ in CITY_USERS))
    lines.append("Open http://127.0.0.1:5000/ and log in, e.g. as naka_caseworker.")
    return lines
