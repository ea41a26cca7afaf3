"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json.

Kept true by tests/api/test_schemathesis.py, which calls every operation with generated input
and checks each answer against this document.
"""

from __future__ import annotations

from app.access import access_rule
from app.codes import WARDS

from .blueprint import bp

MAX_ID = 2_147_483_647
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problems(*statuses: int) -> dict:
    return {str(status): {"description": "problem", "content": {"application/problem+json": {"schema": PROBLEM}}}
            for status in statuses}


def _ok(status: int, schema_name: str, description: str = "ok") -> dict:
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    return {str(status): {"description": description, "content": {"application/json": {"schema": ref}}}}


def _id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, responses: dict, parameters: list | None = None, body: dict | None = None) -> dict:
    operation = {"summary": summary, "responses": {**responses, **_problems(400, 401, 403, 404, 405, 409, 422)}}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    return operation


# Bodies are closed: a member the operation does not define is refused with 422 naming it.
DATA_BODY = {"type": "object", "properties": {"data": {"type": "object"}}, "required": ["data"],
             "additionalProperties": False}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
WARD = {"type": "string", "enum": list(WARDS)}
TASK_ID = _id("task_id", "タスクID")
CASE_ID = _id("case_id", "相談ケースID")

SCHEMAS = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": STRING, "title": STRING, "status": {"type": "integer"}, "detail": STRING,
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STRING}},
            "element_id": NULLABLE_STRING,
        },
    },
    "Task": {
        "type": "object",
        "required": ["task_id", "case_id", "form_key", "name", "role", "assignee", "due_at"],
        "properties": {
            "task_id": {"type": "integer"}, "case_id": {"type": "integer"}, "form_key": STRING, "name": STRING,
            "role": {"type": "string", "description": "candidate role codes, space-separated"},
            "assignee": NULLABLE_STRING, "due_at": {"type": ["string", "null"], "format": "date-time"},
            "status": {"enum": ["open", "completed", "cancelled"]}, "case_state": NULLABLE_STRING,
            "instance_item": NULLABLE_STRING,
        },
    },
    "Field": {
        "type": "object",
        "required": ["name", "type", "required"],
        "properties": {
            "name": STRING, "type": {"enum": ["date", "datetime", "bool", "int", "code", "codes", "text"]},
            "required": {"type": "boolean"}, "label": STRING,
            "choices": {"type": "array", "items": {"type": "object", "required": ["code", "label"],
                                                   "properties": {"code": STRING, "label": STRING}}},
        },
    },
    "TaskDetail": {"allOf": [{"$ref": "#/components/schemas/Task"}, {
        "type": "object", "required": ["fields", "can_complete"],
        "properties": {"fields": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
                       "can_complete": {"type": "boolean"}, "prefill": {"type": "object"},
                       "case_data": {"$ref": "#/components/schemas/CaseData"}},
    }]},
    "TaskList": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
    "Case": {
        "type": "object",
        "required": ["case_id", "ward", "state", "assigned_to", "opened_on", "closed_on", "closure_reason",
                     "open_tasks", "actions"],
        "properties": {
            "case_id": {"type": "integer"}, "ward": WARD, "state": STRING, "assigned_to": NULLABLE_STRING,
            "opened_on": {"type": "string", "format": "date"},
            "closed_on": {"type": ["string", "null"], "format": "date"}, "closure_reason": NULLABLE_STRING,
            "route": NULLABLE_STRING, "reconsultation": {"type": "boolean"},
            "previous_case_id": {"type": ["integer", "null"]},
            "open_tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
            "actions": {"type": "array", "items": STRING},
            "access_basis": NULLABLE_STRING, "person": {"type": ["object", "null"]},
            "data_items": {"type": "array", "items": {"type": "object"}},
            "recorded_values": {"type": "array", "items": {"type": "object"}},
            "risk": {"type": ["object", "null"]},
        },
    },
    # What the viewer may see of the person and the case's data (masked by the privacy matrix).
    "CaseData": {
        "type": "object",
        "properties": {
            "access_basis": NULLABLE_STRING,
            "person": {"type": ["object", "null"]},
            "data_items": {"type": "array", "items": {"type": "object"}},
            "recorded_values": {"type": "array", "items": {"type": "object"}},
            "risk": {"type": ["object", "null"]},
        },
    },
    "CaseSearch": {
        "type": "object", "required": ["results"],
        "properties": {"results": {"type": "array", "items": {
            "type": "object", "required": ["case_id", "ward", "state"],
            "properties": {"case_id": {"type": "integer"}, "ward": WARD, "state": STRING,
                           "person_name": NULLABLE_STRING, "person_kana": NULLABLE_STRING,
                           "address": NULLABLE_STRING, "assigned_to": NULLABLE_STRING,
                           "opened_on": {"type": "string", "format": "date"},
                           "risk_level": {"type": ["string", "null"]}}}}},
    },
    "StepResult": {
        "type": "object", "required": ["case_id", "state", "open_tasks"],
        "properties": {"case_id": {"type": "integer"}, "state": STRING, "assigned_to": NULLABLE_STRING,
                       "open_tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}},
    },
    "CaseCreated": {"type": "object", "required": ["case_id"], "properties": {"case_id": {"type": "integer"}}},
    "ReferralCreated": {"type": "object", "required": ["referral_id", "case_id"],
                        "properties": {"referral_id": {"type": "integer"}, "case_id": {"type": ["integer", "null"]}}},
    "ReferralStatus": {
        "type": "object", "required": ["referral_id", "case_id", "consent_to_refer", "status"],
        "properties": {"referral_id": {"type": "integer"}, "case_id": {"type": ["integer", "null"]},
                       "consent_to_refer": {"type": "boolean"},
                       "status": {"enum": ["received", "not_yet_contacted", "connected"]}},
    },
    "Event": {
        "type": "object", "required": ["event_id", "event_type", "actor", "at", "data"],
        "properties": {"event_id": {"type": "integer"}, "case_id": {"type": ["integer", "null"]},
                       "event_type": STRING, "actor": NULLABLE_STRING, "at": {"type": "string", "format": "date-time"},
                       "data": {"type": "object"}},
    },
    "EventList": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
    "NoticeList": {"type": "array", "items": {
        "type": "object",
        "required": ["notice_id", "kind", "number", "issued_on", "subject", "decision_id", "plan_version", "recipient"],
        "properties": {"notice_id": {"type": "integer"}, "kind": STRING, "number": STRING,
                       "issued_on": {"type": "string", "format": "date"}, "subject": STRING,
                       "decision_id": NULLABLE_STRING, "plan_version": {"type": ["integer", "null"]},
                       "recipient": STRING, "url": STRING, "pdf_url": STRING}}},
    "Cover": {
        "type": "object", "required": ["cover_id"],
        "properties": {"cover_id": {"type": "integer"}, "absent_user": STRING, "cover_user": STRING,
                       "starts_on": {"type": "string", "format": "date"},
                       "ends_on": {"type": "string", "format": "date"}, "ended": {"type": "boolean"}},
    },
}

REASSIGN_BODY = {"type": "object", "required": ["assignee", "reason"], "additionalProperties": False,
                 "properties": {"assignee": {"type": "string", "description": "username"}, "reason": STRING}}

PATHS = {
    "/referrals": {"post": _op("連絡票を送る（同意がなければ相談ケースは作られない）", _ok(201, "ReferralCreated"),
                               body=_body({"type": "object", "required": ["data"], "additionalProperties": False,
                                           "properties": {"ward": WARD, "data": {"type": "object"}}}))},
    "/referrals/{referral_id}": {"get": _op("連絡票の状況（本人が回答に同意した範囲）", _ok(200, "ReferralStatus"),
                                            [_id("referral_id", "連絡票ID")])},
    "/cases": {"post": _op("来所相談の相談ケースを開く", _ok(201, "CaseCreated"),
                           body=_body({"type": "object", "properties": {"ward": WARD}, "additionalProperties": False},
                                      required=False)),
               "get": _op("相談ケースの検索（氏名・フリガナ・ケース番号、結果はマスク済み）",
                          _ok(200, "CaseSearch"),
                          [{"name": "q", "in": "query", "required": True, "schema": STRING}])},
    "/cases/{case_id}": {"get": _op("相談ケース", _ok(200, "Case"), [CASE_ID])},
    "/cases/{case_id}/events": {"get": _op("相談ケースの監査イベント（古い順）", _ok(200, "EventList"), [CASE_ID])},
    "/cases/{case_id}/notices": {"get": _op("相談ケースに発行した通知書（印刷ページとPDFのURL付き）",
                                            _ok(200, "NoticeList"), [CASE_ID])},
    "/cases/{case_id}/actions/{action}": {"post": _op(
        "相談ケースの操作（record_progress, request_pa_handoff など）", _ok(200, "StepResult"),
        [CASE_ID, {"name": "action", "in": "path", "required": True, "schema": STRING}], _body(DATA_BODY))},
    "/cases/{case_id}/reassign": {"post": _op("担当替え（主任・係長、理由必須）", _ok(200, "StepResult"), [CASE_ID],
                                              _body(REASSIGN_BODY))},
    "/tasks": {"get": _op("見られる未完了タスク", _ok(200, "TaskList"), [
        {"name": "case_id", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
        {"name": "mine", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
        {"name": "form_key", "in": "query", "schema": STRING},
    ])},
    "/tasks/{task_id}": {"get": _op("タスクとその様式の項目", _ok(200, "TaskDetail"), [TASK_ID])},
    "/tasks/{task_id}/claim": {"post": _op("タスクを引き受ける（他の人が持っていれば409）", _ok(200, "Task"),
                                           [TASK_ID])},
    "/tasks/{task_id}/release": {"post": _op("タスクを手放す", _ok(200, "Task"), [TASK_ID])},
    "/tasks/{task_id}/take-over": {"post": _op(
        "タスクを引き取る（主任・係長）", _ok(200, "Task"), [TASK_ID],
        _body({"type": "object", "properties": {"reason": STRING}, "additionalProperties": False},
              required=False))},
    "/tasks/{task_id}/reassign": {"post": _op("タスクの担当替え（主任・係長）", _ok(200, "Task"), [TASK_ID],
                                              _body(REASSIGN_BODY))},
    "/tasks/{task_id}/complete": {"post": _op("タスクを完了する", _ok(200, "StepResult"), [TASK_ID], _body(DATA_BODY))},
    "/covers": {"post": _op("代理を設定する（区担当係長）", _ok(201, "Cover"), body=_body({
        "type": "object", "required": ["absent_user", "cover_user", "starts_on", "ends_on", "reason"],
        "additionalProperties": False,
        "properties": {"absent_user": STRING, "cover_user": STRING, "starts_on": {"type": "string", "format": "date"},
                       "ends_on": {"type": "string", "format": "date"}, "reason": STRING}}))},
    "/covers/{cover_id}/end": {"post": _op("代理を終える", _ok(200, "Cover"), [_id("cover_id", "代理ID")])},
}


# --- intake from every route (slips, consents, households, re-consultation) ----------------------
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "再送しても1回だけ処理するためのキー（送信者ごと）。同じキーの再送には最初の"
                                  "回答を返し（Idempotent-Replayed: true）、別の内容に同じキーを使うと422",
                   "schema": {"type": "string", "minLength": 1, "maxLength": 128}}
REFERRAL_ID = _id("referral_id", "連絡票ID")
MEMBER_ID = _id("member_id", "世帯員ID")
SCHEMAS.update({
    "ReferralStatus": {
        "type": "object", "required": ["referral_id", "kind", "slip_date", "from_section", "consent_to_refer",
                                       "status", "status_label"],
        "properties": {"referral_id": {"type": "integer"}, "kind": {"enum": ["referral_slip", "pa_discontinuation"]},
                       "slip_date": {"type": "string", "format": "date"}, "from_section": STRING,
                       "consent_to_refer": {"type": "boolean"},
                       "status": {"enum": ["received", "not_yet_contacted", "connected"]},
                       "status_label": {"enum": ["受付済（回答の同意なし）", "未来所", "接続済"]}},
    },
    "ReferralList": {"type": "array", "items": {"$ref": "#/components/schemas/ReferralStatus"}},
    "Consent": {
        "type": "object", "required": ["consent_id", "kind", "given_by", "given_on", "form", "scopes", "tax_sharing",
                                       "exclusions", "withdrawn_on", "active"],
        "properties": {"consent_id": {"type": "integer"},
                       "kind": {"enum": ["referral", "intake", "pa_discontinuation"]},
                       "given_by": {"enum": ["person"]}, "given_on": {"type": "string", "format": "date"},
                       "form": STRING, "scopes": {"type": "array", "items": STRING},
                       "tax_sharing": {"type": "object", "properties": {
                           "allowed": {"type": "boolean"}, "with_roles": {"type": "array", "items": STRING}}},
                       "exclusions": {"type": "array", "items": STRING},
                       "withdrawn_on": {"type": ["string", "null"], "format": "date"}, "active": {"type": "boolean"}},
    },
    "ConsentList": {"type": "array", "items": {"$ref": "#/components/schemas/Consent"}},
    "HouseholdMember": {
        "type": "object", "required": ["member_id", "relation", "relation_label", "description", "registered",
                                       "status", "status_label"],
        "properties": {"member_id": {"type": "integer"}, "relation": STRING, "relation_label": STRING,
                       "description": NULLABLE_STRING, "registered": {"type": "boolean"},
                       "status": {"enum": ["not_consented", "consented", "applied"]}, "status_label": STRING},
    },
    "Household": {"type": "array", "items": {"$ref": "#/components/schemas/HouseholdMember"}},
    "Reconsultation": {"type": "object", "required": ["case_id", "previous_case_id"],
                       "properties": {"case_id": {"type": "integer"}, "previous_case_id": {"type": "integer"}}},
})
PATHS["/referrals"]["post"]["parameters"] = [IDEMPOTENCY_KEY]
# Steps a client may retry after a lost answer: the same key gives back the first answer (Idempotent-Replayed).
for _path in ("/cases", "/cases/{case_id}/actions/{action}", "/tasks/{task_id}/complete"):
    _step = PATHS[_path]["post"]
    _step["parameters"] = [*_step.get("parameters", []), IDEMPOTENCY_KEY]
PATHS["/referrals"]["get"] = _op("自分が送った連絡票と情報提供票（回答の同意の範囲だけ）", _ok(200, "ReferralList"))
PATHS.update({
    "/pa-slips": {"post": _op(
        "生活保護廃止時 情報提供票を送る（同意がなければ特別な理由と区担当係長の承認が必要）",
        _ok(201, "ReferralCreated"),
        [IDEMPOTENCY_KEY], _body({"type": "object", "required": ["data"], "additionalProperties": False,
                                  "properties": {"ward": WARD, "data": {"type": "object"}}}))},
    "/cases/{case_id}/consents": {"get": _op("相談ケースの同意（記録、撤回を含む）", _ok(200, "ConsentList"),
                                             [CASE_ID])},
    "/cases/{case_id}/consents/{consent_id}/withdraw": {"post": _op(
        "同意の撤回を記録する（以後の共有を止め、過去の記録は残す）", _ok(200, "Consent"),
        [CASE_ID, _id("consent_id", "同意ID")],
        _body({"type": "object", "additionalProperties": False,
               "properties": {"withdrawn_on": {"type": "string", "format": "date"}, "note": STRING}},
              required=False))},
    "/cases/{case_id}/household": {"get": _op("世帯（世帯員ごとの同意・申込の状況）", _ok(200, "Household"),
                                              [CASE_ID])},
    "/cases/{case_id}/household/members": {"post": _op(
        "世帯員を記録する（本人の名前では何も作らない）", _ok(201, "HouseholdMember"), [CASE_ID],
        _body({"type": "object", "required": ["relation"], "additionalProperties": False,
               "properties": {"relation": STRING, "description": STRING}}))},
    "/cases/{case_id}/household/members/{member_id}/episode": {"post": _op(
        "世帯員本人の相談ケースを開く（本人が来所したとき）", _ok(201, "CaseCreated"), [CASE_ID, MEMBER_ID])},
    "/cases/{case_id}/reconsultation": {"post": _op(
        "終結した相談ケースの再相談を開く（新しいケース、前回とつながる）", _ok(201, "Reconsultation"), [CASE_ID])},
})
# Statistics (支援状況調査): aggregates only.
MONTH = {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}
SCHEMAS["StatsRows"] = {"type": "array", "items": {
    "type": "object", "required": ["ward", "month", "new_consultations", "plans", "employment_support_targets",
                                   "per_100k", "targets", "closures_by_reason"],
    "properties": {"ward": STRING, "month": STRING, "new_consultations": {"type": "integer"},
                   "plans": {"type": "integer"}, "employment_support_targets": {"type": "integer"},
                   "per_100k": {"type": "object"}, "targets": {"type": "object"},
                   "closures_by_reason": {"type": "object"}}}}
PATHS["/stats/monthly"] = {"get": _op(
    "月次の支援状況（区・全市、人口10万人当たりと目安値。.csv と .xlsx も）", _ok(200, "StatsRows"),
    [{"name": "ward", "in": "query", "schema": STRING, "description": "区コード（省略時は見られる全区と全市）"},
     {"name": "from", "in": "query", "required": True, "schema": MONTH},
     {"name": "to", "in": "query", "required": True, "schema": MONTH}])}


# Meetings: 支援会議, 個別支援調整会議 sessions, 定例支援調整会議 packs (bodies closed, answers objects).
OBJECT = {"type": "object"}
SCHEMAS["Object"] = OBJECT
MEETING_ID = _id("meeting_id", "会議ID")
SESSION_ID = _id("session_id", "会議（セッション）ID")


def _closed(properties: dict) -> dict:
    return _body({"type": "object", "properties": properties, "additionalProperties": False})


PATHS.update({
    "/support-meetings": {"post": _op(
        "支援会議を登録（構成員と守秘義務の確認。主任・係長）", _ok(201, "Object"), body=_closed(
            {"ward": STRING, "held_on": STRING, "members": {"type": "array"}, "acknowledgements": {"type": "array"}}))},
    "/support-meetings/{meeting_id}": {"get": _op("支援会議の記録（構成員と区の主任・係長のみ）", _ok(200, "Object"),
                                                  [MEETING_ID])},
    "/support-meetings/{meeting_id}/items": {"post": _op(
        "支援会議の情報（税務情報は拒否）", _ok(201, "Object"), [MEETING_ID],
        _closed({"source_agency": STRING, "category": STRING, "content": STRING, "household_label": STRING}))},
    "/support-meetings/{meeting_id}/actions": {"post": _op(
        "支援会議で合意した対応（職員のタスク）", _ok(201, "Object"), [MEETING_ID],
        _closed({"assignee": STRING, "title": STRING, "due_on": STRING}))},
    "/support-meetings/{meeting_id}/minutes": {"post": _op("支援会議の議事録", _ok(200, "Object"), [MEETING_ID],
                                                           _closed({"minutes": STRING}))},
    "/meeting-sessions": {"post": _op(
        "個別支援調整会議を設定（日時・場所・出席職員）", _ok(201, "Object"), body=_closed(
            {"ward": STRING, "held_on": STRING, "place": STRING, "members": {"type": "array"}}))},
    "/meeting-sessions/{session_id}": {"get": _op("会議の次第（見る人に見せてよい項目だけ）", _ok(200, "Object"),
                                                  [SESSION_ID])},
    "/meeting-sessions/{session_id}/cases": {"post": _op("議題に相談ケースを加える", _ok(201, "Object"), [SESSION_ID],
                                                         _closed({"case_id": {"type": "integer"}}))},
    "/meeting-sessions/{session_id}/cases/{case_id}/minutes": {"post": _op(
        "相談ケースの議事録（会議タスクを完了）", _ok(200, "Object"), [SESSION_ID, CASE_ID], _closed({
            "attendees": {"type": "array"}, "person_absent": {"type": "boolean"}, "person_absence_reason": STRING,
            "decision": STRING, "review_notes": STRING, "requested_changes": STRING, "closure_reason": STRING,
            "follow_up_on": STRING, "role_assignments": STRING}))},
    "/regular-meetings": {"post": _op("定例支援調整会議の資料を作成（年度の四半期 2027Q1 など）", _ok(201, "Object"),
                                      body=_closed({"ward": STRING, "quarter": STRING, "held_on": STRING}))},
    "/regular-meetings/{meeting_id}/pack": {"get": _op("定例支援調整会議の資料", _ok(200, "Object"), [MEETING_ID])},
    "/regular-meetings/{meeting_id}/minutes": {"post": _op(
        "定例支援調整会議の議事録（出席機関、事例ごとの確認・意見、資源の課題）", _ok(200, "Object"), [MEETING_ID],
        _closed({"attending_agencies": {"type": "array"}, "reviews": {"type": "array"},
                 "resource_issues": {"type": "array"}}))},
})


# The statutory services: decisions with eligibility and terms, shelter stays, the budget, child referrals.
_OBJECTS = {"type": "array", "items": {"type": "object"}}
SCHEMAS.update({
    "ServiceList": {"type": "array", "items": {
        "type": "object",
        "required": ["decision_id", "service", "status", "plan_version", "term", "from", "to", "eligibility",
                     "notice_id"],
        "properties": {"decision_id": {"type": "integer"}, "service": STRING,
                       "status": {"type": "string", "enum": ["decided", "in_progress", "ended", "refused"]},
                       "plan_version": {"type": "integer"}, "term": {"type": ["integer", "null"]},
                       "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                       "eligibility": {"type": "object", "required": ["basis", "reason", "approved_by"]},
                       "notice_id": {"type": ["integer", "null"]}}}},
    "ShelterStayList": {"type": "array", "items": {
        "type": "object",
        "required": ["stay_id", "admitted_at", "planned_end", "extensions", "discharged_on", "status"],
        "properties": {"stay_id": {"type": "integer"}, "admitted_at": {"type": "string", "format": "date-time"},
                       "planned_end": {"type": "string", "format": "date"}, "extensions": _OBJECTS,
                       "discharged_on": {"type": ["string", "null"], "format": "date"}, "status": STRING}}},
    "Budget": {"type": "object", "required": ["tables", "arrears"],
               "properties": {"tables": _OBJECTS, "arrears": _OBJECTS}},
    "ChildReferralList": _OBJECTS,
})
PATHS.update({
    "/cases/{case_id}/services": {"get": _op("支援決定（要件・期・期間・根拠のプラン版・通知書）",
                                             _ok(200, "ServiceList"), [CASE_ID])},
    "/cases/{case_id}/shelter": {"get": _op("一時生活支援の利用（入所・延長・退所）", _ok(200, "ShelterStayList"),
                                            [CASE_ID])},
    "/cases/{case_id}/budget": {"get": _op("家計表と滞納の整理（見られる範囲だけ）", _ok(200, "Budget"), [CASE_ID])},
    "/cases/{case_id}/child-referrals": {"get": _op("子どもの学習・生活支援のつなぎ（住所は含まない）",
                                                    _ok(200, "ChildReferralList"), [CASE_ID])},
})

def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "tsunagi API", "version": "1",
                 "description": "自立相談支援のケース管理 API（契約 §3）。エラーは application/problem+json。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
        "paths": PATHS,
    }


@bp.get("/openapi.json")
@access_rule("public")
def openapi():
    return document()
