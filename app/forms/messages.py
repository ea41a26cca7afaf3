"""Validation messages in Japanese (default) and English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "unknown_field": {
        "ja": "この項目は定義されていません: {name}",
        "en": "This field is not defined: {name}",
    },
    "not_an_object": {
        "ja": "フォームの値はオブジェクト（項目名と値の組）で指定してください",
        "en": "Form data must be an object of field names and values",
    },
    "required": {"ja": "{label}を入力してください", "en": "{label} is required"},
    "required_choice": {"ja": "{label}を選択してください", "en": "Select {label}"},
    "required_check": {
        "ja": "{label}にチェックを入れてください",
        "en": "{label} must be checked",
    },
    "text_type": {"ja": "{label}は文字で入力してください", "en": "{label} must be text"},
    "min_length": {
        "ja": "{label}は{min}文字以上で入力してください",
        "en": "{label} must be at least {min} characters",
    },
    "max_length": {
        "ja": "{label}は{max}文字以内で入力してください（現在{count}文字）",
        "en": "{label} must be at most {max} characters (now {count})",
    },
    "text_control": {
        "ja": "{label}に使えない制御文字（文字の向きを変える記号など）が含まれています",
        "en": "{label} contains control characters that are not allowed (such as direction overrides)",
    },
    "pattern": {"ja": "{label}の形式が正しくありません", "en": "{label} is not in the expected format"},
    "kana": {
        "ja": "{label}はカタカナで入力してください（使えない文字: {chars}）",
        "en": "{label} must be written in katakana (not allowed: {chars})",
    },
    "int": {
        "ja": "{label}は数字で入力してください（例: 3）",
        "en": "{label} must be a whole number (e.g. 3)",
    },
    "yen": {
        "ja": "{label}は金額を数字で入力してください（例: 120,000）",
        "en": "{label} must be an amount in whole yen (e.g. 120,000)",
    },
    "int_min": {"ja": "{label}は{min}以上で入力してください", "en": "{label} must be {min} or more"},
    "int_max": {"ja": "{label}は{max}以下で入力してください", "en": "{label} must be {max} or less"},
    "bool": {
        "ja": "{label}は「はい」か「いいえ」で指定してください",
        "en": "{label} must be true or false",
    },
    "code": {
        "ja": "{label}の選択肢にない値です: {value}",
        "en": "{label}: not one of the choices: {value}",
    },
    "codes_type": {
        "ja": "{label}は選択肢のリストで指定してください",
        "en": "{label} must be a list of choices",
    },
    "date": {
        "ja": "{label}は正しい日付を入力してください（例: 2026年11月26日）",
        "en": "{label} must be a valid date (e.g. 2026-11-26)",
    },
    "date_parts": {
        "ja": "{label}は年・月・日をすべて入力してください",
        "en": "Enter the year, month and day of {label}",
    },
    "datetime": {
        "ja": "{label}は正しい日時を入力してください（例: 2026年11月26日 10時30分）",
        "en": "{label} must be a valid date and time (e.g. 2026-11-26T10:30+09:00)",
    },
    "date_range": {
        "ja": "{label}は{min}から{max}までの日付で入力してください",
        "en": "{label} must be between {min} and {max}",
    },
    "date_min": {
        "ja": "{label}は{min}以降の日付を入力してください",
        "en": "{label} must be on or after {min}",
    },
    "date_max": {
        "ja": "{label}は{max}以前の日付を入力してください",
        "en": "{label} must be on or before {max}",
    },
    "today": {"ja": "今日", "en": "today"},
    "after": {
        "ja": "{label}は{other}より後の日付にしてください",
        "en": "{label} must be after {other}",
    },
    "not_before": {
        "ja": "{label}は{other}以降の日付にしてください",
        "en": "{label} must not be before {other}",
    },
    "not_after": {
        "ja": "{label}は{other}以前の日付にしてください",
        "en": "{label} must not be after {other}",
    },
    "csrf": {
        "ja": "画面の有効期限が切れました。もう一度送信してください",
        "en": "The page has expired. Please submit the form again",
    },
    # Badges and notes used by the templates and by describe texts.
    "badge_required": {"ja": "※必須", "en": "Required"},
    "badge_optional": {"ja": "※任意", "en": "Optional"},
    "badge_conditional": {"ja": "※条件付き必須", "en": "Required if"},
    "when_equals": {
        "ja": "{field}が「{value}」の場合は必須です",
        "en": "Required when {field} is \"{value}\"",
    },
    "when_not_equals": {
        "ja": "{field}が「{value}」以外の場合は必須です",
        "en": "Required unless {field} is \"{value}\"",
    },
    "when_in": {
        "ja": "{field}が「{value}」の場合は必須です",
        "en": "Required when {field} is \"{value}\"",
    },
    "when_contains": {
        "ja": "{field}に「{value}」が含まれる場合は必須です",
        "en": "Required when {field} includes \"{value}\"",
    },
    "or": {"ja": "または", "en": " or "},
    "list_sep": {"ja": "、", "en": ", "},
    "yes": {"ja": "はい", "en": "yes"},
    "no": {"ja": "いいえ", "en": "no"},
    "error_summary_title": {
        "ja": "入力内容に{count}件のエラーがあります",
        "en": "There are {count} problems with your answers",
    },
    "era_hint": {
        "ja": "西暦（例: 2026）または和暦（例: 令和8、R8）",
        "en": "Western year (e.g. 2026) or era year (e.g. R8)",
    },
    "year": {"ja": "年", "en": "Year"},
    "hour": {"ja": "時", "en": "Hour"},
    "minute": {"ja": "分", "en": "Minute"},
    "month": {"ja": "月", "en": "Month"},
    "day": {"ja": "日", "en": "Day"},
    "unit_yen": {"ja": "円", "en": "yen"},
    "select_placeholder": {"ja": "選択してください", "en": "Select"},
    "sensitivity_tax": {"ja": "税務情報", "en": "Tax information"},
    "sensitivity_health": {"ja": "要配慮個人情報", "en": "Sensitive"},
    "sensitivity_special_care": {"ja": "要配慮個人情報", "en": "Sensitive"},
}


def is_english(locale: object) -> bool:
    """"en", "en_US", "en-GB" … are English; every other locale gets Japanese."""
    return str(locale or "").lower().startswith("en")


def message(message_key: str, locale: str = "ja", **params: object) -> str:
    """The message ``message_key`` in ``locale`` (Japanese unless "en"), formatted with ``params``."""
    texts = MESSAGES[message_key]
    text = texts["en"] if is_english(locale) else texts["ja"]
    return text.format(**params) if params else text
