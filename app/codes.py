"""Code lists of the integration contract (shared with other city systems) and the code lists the forms use.

Codes are stable identifiers shared with other city systems; labels are for display only.
Each list is an ordered dict ``code -> {"ja": ..., "en": ...}``; ``CODE_LISTS`` maps list names
(the names used by ``choices = "..."`` in ``forms/*.toml``) to the lists.
"""

from __future__ import annotations

Labels = dict[str, str]
CodeList = dict[str, Labels]


def _codes(*rows: tuple[str, str, str]) -> CodeList:
    return {code: {"ja": ja, "en": en} for code, ja, en in rows}


ROLES = _codes(
    ("caseworker", "自立相談支援員", "Support worker"),
    ("lead_worker", "主任相談支援員", "Lead support worker"),
    ("section_chief", "区担当係長", "Ward section chief"),
    ("employment_navigator", "就労支援員・ジョブスポット", "Employment navigator / Job Spot"),
    ("budget_advisor", "家計改善支援員", "Household budget advisor"),
    ("provider", "サービス提供事業者", "Service provider"),
    ("pa_worker", "生活保護担当CW", "Public assistance caseworker"),
    ("referrer", "関係課職員", "Referring department staff"),
    ("mental_health", "精神保健福祉担当", "Mental health welfare officer"),
    ("process_owner", "プロセス管理者", "Process owner"),
    ("auditor", "監査担当", "Auditor"),
    ("stats_viewer", "健康福祉局", "Health and Social Welfare Bureau (aggregates)"),
    ("admin", "システム管理者", "System administrator"),
)

WARDS = _codes(
    ("tsurumi", "鶴見区", "Tsurumi"),
    ("kanagawa", "神奈川区", "Kanagawa"),
    ("nishi", "西区", "Nishi"),
    ("naka", "中区", "Naka"),
    ("minami", "南区", "Minami"),
    ("konan", "港南区", "Konan"),
    ("hodogaya", "保土ケ谷区", "Hodogaya"),
    ("asahi", "旭区", "Asahi"),
    ("isogo", "磯子区", "Isogo"),
    ("kanazawa", "金沢区", "Kanazawa"),
    ("kohoku", "港北区", "Kohoku"),
    ("midori", "緑区", "Midori"),
    ("aoba", "青葉区", "Aoba"),
    ("tsuzuki", "都筑区", "Tsuzuki"),
    ("totsuka", "戸塚区", "Totsuka"),
    ("sakae", "栄区", "Sakae"),
    ("izumi", "泉区", "Izumi"),
    ("seya", "瀬谷区", "Seya"),
)

CASE_STATES = _codes(
    ("identified", "把握", "Identified"),
    ("intake", "相談受付", "Intake"),
    ("assessment", "アセスメント", "Assessment"),
    ("plan_draft", "プラン案", "Draft plan"),
    ("meeting", "個別支援調整会議", "Coordination meeting"),
    ("decided", "支援決定", "Support decided"),
    ("in_support", "支援提供", "In support"),
    ("suspended", "中断", "Suspended"),
    ("evaluation", "評価", "Evaluation"),
    ("handoff_pa", "生活保護へのつなぎ", "Hand-off to public assistance"),
    ("closed", "終結", "Closed"),
)

SECTIONS = _codes(
    ("tax", "区税務課", "Ward tax section"),
    ("nhi", "区保険年金課", "Ward health insurance and pension section"),
    ("water", "水道局", "Waterworks Bureau"),
    ("municipal_housing", "市営住宅課", "Municipal housing section"),
    ("school_lunch", "教育委員会健康教育課", "Board of Education (school lunch)"),
    ("child_family", "こども家庭支援課", "Child and family support section"),
    ("elderly_disability", "高齢・障害支援課", "Elderly and disability support section"),
    ("public_assistance", "生活保護担当", "Public assistance section"),
    ("medical", "医療機関", "Medical institution"),
    ("other", "その他", "Other"),
)

ROUTES = _codes(
    ("self", "本人自ら", "The person themselves"),
    ("family", "家族・知人", "Family or acquaintance"),
    ("city_section", "庁内関係課", "City section"),
    ("external_agency", "庁外関係機関", "External agency"),
    ("pa_discontinuation", "生活保護廃止時", "End of public assistance"),
    ("support_meeting", "支援会議", "Support meeting"),
    ("outreach", "アウトリーチ", "Outreach"),
    ("publicity", "広報", "Publicity"),
    ("other", "その他", "Other"),
)

SCREENING_RESULTS = _codes(
    ("continue_support", "継続支援", "Continued support"),
    ("refer_other", "他機関つなぎ", "Referred to another agency"),
    ("info_only", "情報提供のみ", "Information only"),
    ("public_assistance", "生活保護へ", "To public assistance"),
)

STATUTORY_SERVICES = _codes(
    ("housing_benefit", "住居確保給付金", "Housing security benefit"),
    ("work_readiness", "就労準備支援", "Work readiness support"),
    ("household_budget", "家計改善支援", "Household budget support"),
    ("temporary_shelter", "一時生活支援", "Temporary living support"),
    ("certified_work_training", "認定就労訓練あっせん", "Certified work training placement"),
    ("child_learning", "子どもの学習・生活支援", "Children's learning and living support"),
)

MEETING_DECISIONS = _codes(
    ("approve", "了承", "Approve"),
    ("revise", "修正依頼", "Request changes"),
    ("close", "終結", "Close"),
    ("continue", "継続", "Continue"),
)

CLOSURE_REASONS = _codes(
    ("goal_achieved", "目標達成", "Goal achieved"),
    ("referred_out", "他機関へ", "Referred to another agency"),
    ("public_assistance", "生活保護適用", "Public assistance granted"),
    ("lost_contact", "連絡途絶", "Lost contact"),
    ("moved", "転居", "Moved away"),
    ("person_request", "本人の希望", "At the person's request"),
    ("death", "死亡", "Death"),
    ("info_only", "情報提供のみ", "Information only"),
    ("other", "その他", "Other"),
)

RISK_LEVELS = _codes(
    ("none", "なし", "None"),
    ("low", "低", "Low"),
    ("medium", "中", "Medium"),
    ("high", "高", "High"),
)

# 自死企図のリスク指標 (risk flag): what the assessor saw or heard.
RISK_INDICATORS = _codes(
    ("ideation", "死にたい気持ちの表明", "Expressed wish to die"),
    ("plan", "具体的な計画・手段", "Concrete plan or means"),
    ("past_attempt", "過去の企図歴", "Past attempt"),
    ("self_harm", "自傷行為", "Self-harm"),
    ("hopelessness", "強い絶望感", "Strong hopelessness"),
    ("isolation", "孤立・頼れる人がいない", "Isolation, nobody to turn to"),
    ("crisis_event", "直近の危機的な出来事（失職・立退き等）", "Recent crisis (job loss, eviction…)"),
    ("alcohol_drugs", "飲酒・薬物の問題", "Alcohol or drug problems"),
    ("other", "その他", "Other"),
)

# How a risk referral may be shared (個人情報保護法第69条).
RISK_SHARING_BASES = _codes(
    ("consent", "本人の同意", "The person's consent"),
    ("life_and_health", "生命・身体の保護のための例外", "Exception to protect life and health"),
)

DATA_SOURCES = _codes(
    ("person", "本人の申告", "The person"),
    ("tax", "税務情報", "Tax section"),
    ("nhi", "保険年金課", "Health insurance section"),
    ("water", "水道局", "Waterworks Bureau"),
    ("municipal_housing", "市営住宅課", "Municipal housing section"),
    ("school_lunch", "教育委員会（学校給食）", "Board of Education (school lunch)"),
    ("public_assistance", "生活保護担当", "Public assistance section"),
    ("agency", "関係機関", "Other agency"),
)

# --- code lists used by the forms ----------------------------------------------------------

INTAKE_METHODS = _codes(
    ("visit", "来所", "Visit"),
    ("phone", "電話", "Phone"),
    ("home_visit", "訪問", "Home visit"),
    ("email", "メール", "Email"),
)

URGENCY_LEVELS = _codes(
    ("high", "高", "High"),
    ("medium", "中", "Medium"),
    ("low", "低", "Low"),
)

REFERRAL_CONSENT_SCOPES = _codes(
    ("identity", "氏名・連絡先", "Name and contact details"),
    ("reason", "つなぐ理由", "Reason for the referral"),
    ("arrears_detail", "滞納の詳細", "Details of arrears"),
    ("reply", "来所状況の回答", "Reply about arrival"),
)

INTAKE_CONSENT_SCOPES = _codes(
    ("support_agencies", "支援に必要な関係機関との共有", "Agencies needed for support"),
    ("employment", "就労支援（ハローワーク・ジョブスポット）", "Employment support (Hello Work, Job Spot)"),
    ("budget", "家計改善支援員との共有", "Household budget advisor"),
    ("providers", "サービス提供事業者との共有", "Service providers"),
    ("public_assistance", "生活保護担当との共有", "Public assistance section"),
    ("medical", "医療機関との共有", "Medical institutions"),
    ("tax_info", "税務情報の利用・共有", "Use and sharing of tax information"),
    ("support_meeting", "支援会議での共有", "Support meeting"),
    ("regular_meeting", "定例支援調整会議での共有", "Regular coordination meeting"),
)

# Every consent scope code, for the access layer.
CONSENT_SCOPES: CodeList = {**REFERRAL_CONSENT_SCOPES, **INTAKE_CONSENT_SCOPES}

WORRIES = _codes(
    ("illness", "病気や健康、障害のこと", "Illness, health or disability"),
    ("housing", "住まいについて", "Housing"),
    ("income", "収入・生活費のこと", "Income and living costs"),
    ("rent_loan", "家賃やローンの支払いのこと", "Rent or loan payments"),
    ("tax_utilities", "税金や公共料金等の支払いについて", "Taxes or utility payments"),
    ("debt", "債務について", "Debt"),
    ("job_search", "仕事探し、就職について", "Finding a job"),
    ("work_trouble", "仕事上の不安やトラブル", "Trouble at work"),
    ("community", "地域との関係について", "Relations with the community"),
    ("family", "家族関係・人間関係", "Family relations"),
    ("childcare", "子育てのこと", "Childcare"),
    ("care", "介護のこと", "Care"),
    ("hikikomori", "ひきこもり・不登校", "Social withdrawal or school refusal"),
    ("dv_abuse", "DV（家庭内暴力）や虐待", "Domestic violence or abuse"),
    ("food", "食べるものがない", "No food"),
    ("other", "その他", "Other"),
)

ISSUES = _codes(
    ("illness", "病気", "Illness"),
    ("disability", "障害（手帳有・疑い）", "Disability (certified or suspected)"),
    ("suicide_intent", "自死企図", "Suicidal intent"),
    ("mental_health", "その他メンタルヘルスの課題", "Other mental-health problems"),
    ("unstable_housing", "住まい不安定", "Unstable housing"),
    ("homelessness", "ホームレス", "Homelessness"),
    ("hardship", "経済的困窮", "Economic hardship"),
    ("heavy_debt", "多重・過重債務", "Multiple or heavy debts"),
    ("budget_management", "家計管理の課題", "Budget management"),
    ("job_search_difficulty", "就職活動困難", "Difficulty finding work"),
    ("job_retention_difficulty", "就職定着困難", "Difficulty keeping work"),
    ("daily_habits", "生活習慣の乱れ", "Daily habits"),
    ("isolation", "社会的孤立（ニート・ひきこもりなどを含む）", "Social isolation (incl. withdrawal)"),
    ("family_relations", "家族関係・家族の問題", "Family relations"),
    ("childcare", "子育て", "Childcare"),
    ("care", "介護", "Care"),
    ("dv_abuse", "DV・虐待", "Domestic violence or abuse"),
    ("foreign_nationality", "外国籍", "Foreign nationality"),
    ("former_offender", "刑余者", "Former offender"),
    ("communication", "コミュニケーションが苦手", "Communication difficulties"),
    ("other", "その他", "Other"),
)

GOALS_RESULTS = _codes(
    ("achieved", "達成", "Achieved"),
    ("partly", "一部達成", "Partly achieved"),
    ("not_achieved", "未達成", "Not achieved"),
    ("not_assessable", "評価不能", "Not assessable"),
)

EVALUATION_OUTCOMES = _codes(
    ("close", "終結", "Close"),
    ("replan", "再プラン", "Re-plan"),
)

SERVICE_STATUSES = _codes(
    ("ongoing", "利用中", "Ongoing"),
    ("completed", "終了", "Completed"),
    ("discontinued", "中止", "Discontinued"),
)

PROGRESS_NOTE_KINDS = _codes(
    ("interview", "面談", "Interview"),
    ("phone", "電話", "Phone"),
    ("visit", "訪問", "Visit"),
    ("accompany", "同行", "Accompanying"),
    ("meeting", "会議", "Meeting"),
    ("letter", "文書", "Letter"),
    ("emergency_aid", "緊急支援（食料等）", "Emergency aid (food etc.)"),
)

# Who can sit at a meeting: the person and the people who work with them (not system roles).
_NOT_AT_MEETINGS = ("process_owner", "auditor", "stats_viewer", "admin")
ATTENDEES: CodeList = {"person": {"ja": "本人", "en": "The person"},
                       **{code: labels for code, labels in ROLES.items() if code not in _NOT_AT_MEETINGS}}

# What an item tabled at a 支援会議 is about (its source is one of SECTIONS).
SUPPORT_MEETING_ITEM_CATEGORIES = _codes(
    ("arrears", "滞納", "Arrears"),
    ("living", "生活状況", "Living situation"),
    ("housing", "住まい", "Housing"),
    ("children", "子ども・学校", "Children and school"),
    ("health", "健康", "Health"),
    ("other", "その他", "Other"),
)

# 定例支援調整会議: the committee's view of one case review.
REVIEW_VERDICTS = _codes(
    ("confirmed", "確認・了承", "Confirmed"),
    ("comment", "意見あり", "Comments"),
)

SEXES = _codes(
    ("male", "男性", "Male"),
    ("female", "女性", "Female"),
    ("other", "その他・回答しない", "Other / prefer not to say"),
)

PLAN_KINDS = _codes(
    ("initial", "初回プラン", "Initial plan"),
    ("replan", "再プラン", "Re-plan"),
)

YES_NO_UNKNOWN = _codes(
    ("yes", "はい", "Yes"),
    ("no", "いいえ", "No"),
    ("unknown", "不明", "Unknown"),
)

# --- consent, the public-assistance discontinuation slip, households --------------------------

CONSENT_GIVERS = _codes(
    ("person", "本人", "The person"),
    ("family", "家族・代理人", "A family member or proxy"),
)

# Roles an intake consent may let tax information be shared with (beyond the worker and supervisor).
TAX_SHARING_ROLES = _codes(
    ("budget_advisor", "家計改善支援員", "Household budget advisor"),
    ("pa_worker", "生活保護担当CW", "Public assistance caseworker"),
)

PA_SLIP_BASES = _codes(
    ("person_wish", "本人の希望", "The person asks for continued support"),
    ("cw_concern", "CWが気がかり", "The caseworker is worried"),
)

PA_SLIP_CONSENT_SCOPES = _codes(
    ("identity", "氏名・連絡先", "Name and contact details"),
    ("assessment_summary", "アセスメント結果の要約", "Summary of the assessment"),
    ("support_points", "支援のポイント", "Points for support"),
)

HOUSEHOLD_RELATIONS = _codes(
    ("self", "本人", "The person"),
    ("spouse", "配偶者", "Spouse"),
    ("child", "子", "Child"),
    ("parent", "親", "Parent"),
    ("sibling", "兄弟姉妹", "Sibling"),
    ("grandchild", "孫", "Grandchild"),
    ("other", "その他", "Other"),
)

MEMBER_STATUSES = _codes(
    ("not_consented", "未同意・未申込", "Not consented, not applied"),
    ("consented", "同意済・未申込", "Consented, not applied"),
    ("applied", "申込済", "Applied"),
)

# Official notices (通知書): the kinds a case can be issued, and to whom a notice goes.
NOTICE_KINDS = _codes(
    ("support_decision", "支援決定通知書", "Notice of support decision"),
    ("hb_grant", "住居確保給付金支給決定通知書", "Housing benefit: notice of grant"),
    ("hb_refusal", "住居確保給付金不支給決定通知書", "Housing benefit: notice of refusal"),
    ("hb_extension", "住居確保給付金支給延長決定通知書", "Housing benefit: notice of extension"),
    ("hb_extension_refusal", "住居確保給付金支給延長不承認通知書", "Housing benefit: extension refused"),
    ("hb_stop", "住居確保給付金支給中止通知書", "Housing benefit: notice of termination"),
    ("hb_suspension", "住居確保給付金支給停止通知書", "Housing benefit: notice of suspension"),
    ("hb_instruction", "住居確保給付金に係る指導書", "Housing benefit: written instruction"),
    ("shelter_admission", "一時生活支援事業利用決定通知書", "Temporary shelter: notice of admission"),
    ("pa_notice", "住宅扶助との調整について（連絡）", "Housing benefit: note to public assistance"),
)

NOTICE_RECIPIENTS = _codes(
    ("person", "本人", "The person"),
    ("provider", "事業者", "Service provider"),
    ("pa_section", "生活支援課（保護担当）", "Public assistance section"),
)

CODE_LISTS: dict[str, CodeList] = {
    "ROLES": ROLES,
    "WARDS": WARDS,
    "CASE_STATES": CASE_STATES,
    "SECTIONS": SECTIONS,
    "ROUTES": ROUTES,
    "SCREENING_RESULTS": SCREENING_RESULTS,
    "STATUTORY_SERVICES": STATUTORY_SERVICES,
    "MEETING_DECISIONS": MEETING_DECISIONS,
    "CLOSURE_REASONS": CLOSURE_REASONS,
    "RISK_LEVELS": RISK_LEVELS,
    "RISK_INDICATORS": RISK_INDICATORS,
    "RISK_SHARING_BASES": RISK_SHARING_BASES,
    "DATA_SOURCES": DATA_SOURCES,
    "INTAKE_METHODS": INTAKE_METHODS,
    "URGENCY_LEVELS": URGENCY_LEVELS,
    "REFERRAL_CONSENT_SCOPES": REFERRAL_CONSENT_SCOPES,
    "INTAKE_CONSENT_SCOPES": INTAKE_CONSENT_SCOPES,
    "CONSENT_SCOPES": CONSENT_SCOPES,
    "WORRIES": WORRIES,
    "ISSUES": ISSUES,
    "GOALS_RESULTS": GOALS_RESULTS,
    "EVALUATION_OUTCOMES": EVALUATION_OUTCOMES,
    "SERVICE_STATUSES": SERVICE_STATUSES,
    "PROGRESS_NOTE_KINDS": PROGRESS_NOTE_KINDS,
    "ATTENDEES": ATTENDEES,
    "SEXES": SEXES,
    "PLAN_KINDS": PLAN_KINDS,
    "YES_NO_UNKNOWN": YES_NO_UNKNOWN,
    "CONSENT_GIVERS": CONSENT_GIVERS,
    "TAX_SHARING_ROLES": TAX_SHARING_ROLES,
    "PA_SLIP_BASES": PA_SLIP_BASES,
    "PA_SLIP_CONSENT_SCOPES": PA_SLIP_CONSENT_SCOPES,
    "HOUSEHOLD_RELATIONS": HOUSEHOLD_RELATIONS,
    "MEMBER_STATUSES": MEMBER_STATUSES,
    "SUPPORT_MEETING_ITEM_CATEGORIES": SUPPORT_MEETING_ITEM_CATEGORIES,
    "REVIEW_VERDICTS": REVIEW_VERDICTS,
    "NOTICE_KINDS": NOTICE_KINDS,
    "NOTICE_RECIPIENTS": NOTICE_RECIPIENTS,
}


def label(code_list: str | CodeList, code: str | None, locale: str = "ja") -> str:
    """Display label of ``code`` in a code list (given by name or as the dict itself).

    Unknown codes come back unchanged so that old records still display; an unknown list name
    raises ``KeyError``. Locales other than "en" fall back to Japanese.
    """
    codes = CODE_LISTS[code_list] if isinstance(code_list, str) else code_list
    if code is None:
        return ""
    labels = codes.get(code)
    if labels is None:
        return code
    return labels["en"] if str(locale or "").lower().startswith("en") else labels["ja"]


# -- 住居確保給付金 (housing benefit) ------------------------------------------------------------
HB_PAYEES = _codes(
    ("agent", "不動産媒介業者等", "Letting agent"),
    ("landlord", "貸主", "Landlord"),
)

HB_INCOME_KINDS = _codes(
    ("wage", "給与", "Wages"),
    ("business", "事業収入（利益）", "Business profit"),
    ("pension", "年金", "Pension"),
    ("benefit", "公的給付", "Public benefit"),
    ("other", "その他", "Other"),
)

HB_SCREENING_DECISIONS = _codes(
    ("grant", "支給（延長）決定", "Grant"),
    ("refuse", "不支給（不承認）", "Refuse"),
)

HB_STOP_DECISIONS = _codes(
    ("stop", "中止", "Stop (termination)"),
    ("suspend", "停止", "Suspend (resumable)"),
    ("resume", "再開", "Resume"),
    ("continue", "支給継続（中止しない）", "Continue paying"),
)

HB_DUTY_OUTCOMES = _codes(
    ("instruct", "指導書を交付する", "Issue a written instruction"),
    ("reported_late", "報告を受領済み（指導不要）", "Report received late (no instruction)"),
)

HB_REASON_CODES = _codes(
    ("INCOME_OVER_LIMIT", "収入要件不適合", "Income over the limit"),
    ("ASSETS_OVER_LIMIT", "資産要件不適合", "Assets over the limit"),
    ("SEPARATION_TOO_OLD", "離職等から期間経過", "Job loss too long ago"),
    ("NOT_MAIN_EARNER", "主たる生計維持者でない", "Not the main earner"),
    ("NOT_JOB_SEEKER", "求職申込みなし", "Not registered as a job seeker"),
    ("EXTENSION_LATE", "延長申請の期限経過", "Extension applied for too late"),
    ("EXTENSION_LIMIT", "延長回数の上限", "No extension left"),
    ("JOB_SEARCH_DUTY_NOT_MET", "求職活動要件不履行", "Job-search duties not met"),
    ("PERMANENT_JOB_INCOME", "常用就職による収入超過", "Income over the limit after a permanent job"),
    ("PUBLIC_ASSISTANCE_STARTED", "生活保護の開始", "Public assistance started"),
    ("MOVED_OUT", "住居からの退去", "Moved out"),
    ("FALSE_STATEMENT", "虚偽の申請", "False statement"),
    ("TRAINING_BENEFIT", "職業訓練受講給付金の受給", "Vocational training benefit"),
)

CODE_LISTS.update({
    "HB_PAYEES": HB_PAYEES,
    "HB_INCOME_KINDS": HB_INCOME_KINDS,
    "HB_SCREENING_DECISIONS": HB_SCREENING_DECISIONS,
    "HB_STOP_DECISIONS": HB_STOP_DECISIONS,
    "HB_DUTY_OUTCOMES": HB_DUTY_OUTCOMES,
    "HB_REASON_CODES": HB_REASON_CODES,
})
# 就労・増収 (the case action `record_outcome`): one record per event, counted in its month.
OUTCOME_KINDS = _codes(
    ("employed", "就労", "Employed"),
    ("income_increased", "増収", "Income increased"),
)
CODE_LISTS["OUTCOME_KINDS"] = OUTCOME_KINDS

# --- statutory services: eligibility, shelter, work readiness terms ---------------------------

ELIGIBILITY_BASES = _codes(
    ("standard", "収入・資産要件", "Income and asset test"),
    ("deemed", "準ずる者", "Deemed eligible"),
)

PA_CHOICES = _codes(
    ("apply", "申請する", "Applies"),
    ("not_now", "今は申請しない", "Not now"),
    ("undecided", "検討中", "Undecided"),
)

WR_REVIEW_OUTCOMES = _codes(
    ("next_term", "次の期を決定", "Decide the next term"),
    ("end", "終了", "End"),
)

CODE_LISTS.update({"ELIGIBILITY_BASES": ELIGIBILITY_BASES, "PA_CHOICES": PA_CHOICES,
                   "WR_REVIEW_OUTCOMES": WR_REVIEW_OUTCOMES})

# --- 家計改善支援 and 子どもの学習・生活支援 ------------------------------------------------------

# What an arrear is owed for; the data source it counts as follows (tax and NHI follow the tax rule).
ARREARS_KINDS = _codes(
    ("tax", "市県民税・固定資産税", "Municipal and property tax"),
    ("nhi", "国民健康保険料", "National health insurance premium"),
    ("rent", "家賃", "Rent"),
    ("municipal_housing", "市営住宅家賃", "Municipal housing rent"),
    ("utilities", "電気・ガス料金", "Electricity and gas"),
    ("water", "水道料金", "Water"),
    ("school_lunch", "学校給食費", "School lunch fees"),
    ("other", "その他", "Other"),
)

ARREARS_HANDLING = _codes(
    ("installment", "分納（合意済み）", "Instalments agreed"),
    ("reduction", "減免", "Reduction"),
    ("deferment", "猶予", "Deferment"),
    ("undecided", "調整中", "Being arranged"),
)

CODE_LISTS.update({"ARREARS_KINDS": ARREARS_KINDS, "ARREARS_HANDLING": ARREARS_HANDLING})
