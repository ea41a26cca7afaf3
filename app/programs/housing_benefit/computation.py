"""住居確保給付金 arithmetic: pure functions of the rule content and the application's figures.

Nothing here reads the database or the clock: the caller passes the rules in force, the
application's figures and the date they are judged on.  Every figure the result uses is named,
with why (a capped rent, an excluded commuting allowance, an incapacity period too short to count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

INCOME_KINDS = ("wage", "business", "pension", "benefit", "other")


@dataclass
class Failure:
    code: str
    text: str

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text}


@dataclass
class Computation:
    """The figures of one screening (or extension) and every requirement it failed."""

    household_size: int
    counted_income: int
    counted_rent: int
    base_amount: int
    rent_ceiling: int
    income_limit: int
    asset_limit: int
    assets: int
    monthly_amount: int
    window_end: str | None
    notes: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {
            "household_size": self.household_size,
            "counted_income": self.counted_income,
            "counted_rent": self.counted_rent,
            "base_amount": self.base_amount,
            "rent_ceiling": self.rent_ceiling,
            "income_limit": self.income_limit,
            "asset_limit": self.asset_limit,
            "assets": self.assets,
            "monthly_amount": self.monthly_amount,
            "window_end": self.window_end,
            "notes": list(self.notes),
            "failures": [f.as_dict() for f in self.failures],
        }


def yen(amount: int) -> str:
    return f"{amount:,}円"


def household_row(content: dict, size: int) -> tuple[dict, str | None]:
    """The table row of a household size; above the table the largest row, and a note saying so."""
    table = content["by_household_size"]
    largest = max(int(key) for key in table)
    if size > largest:
        return table[str(largest)], f"世帯人数 {size}人 は表の上限を超えるため {largest}人 の基準を適用"
    return table[str(size)], None


def figures(content: dict, size: int) -> dict:
    """基準額, rent ceiling, the largest 収入基準額 and the asset limit of a household size."""
    row, _ = household_row(content, size)
    base, ceiling = int(row["base_amount"]), int(row["rent_ceiling"])
    return {
        "base_amount": base,
        "rent_ceiling": ceiling,
        "income_limit_max": base + ceiling,
        "asset_limit": min(base * int(content["asset_multiplier"]), int(content["asset_cap"])),
    }


def counted_income(incomes: list[dict], notes: list[str]) -> int:
    """Every member's income: wages gross (the commuting allowance is reported apart and left out),
    business profit, pensions and benefits as they are."""
    total = 0
    for row in incomes:
        gross = int(row.get("gross") or 0)
        total += gross
        commuting = int(row.get("commuting_allowance") or 0)
        if commuting:
            notes.append(f"{row.get('member') or '世帯員'}の通勤手当 {yen(commuting)} は収入に算入しない")
    return total


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def window_end(content: dict, job_loss_on: date, incapacity_days: int, notes: list[str]) -> date:
    """The last day an application counts as within the job-loss window."""
    rule = content["job_loss_window"]
    end = add_years(job_loss_on, int(rule["years"]))
    minimum = int(rule["incapacity_min_days"])
    if incapacity_days >= minimum:
        end += timedelta(days=incapacity_days)
        notes.append(f"疾病等により求職活動ができなかった期間 {incapacity_days}日 を離職後の期間に加算")
    elif incapacity_days:
        notes.append(f"疾病等の期間 {incapacity_days}日 は {minimum}日 未満のため加算しない")
    cap = add_years(job_loss_on, int(rule["cap_years"]))
    if end > cap:
        notes.append(f"離職後の期間は最長 {rule['cap_years']}年 までのため {cap.isoformat()} で打ち切り")
        end = cap
    return end


def monthly_amount(base: int, counted_rent: int, ceiling: int, income: int) -> int:
    """Rent when income ≤ 基準額, else 基準額 + rent − income; never above the ceiling, never below 0."""
    amount = counted_rent if income <= base else base + counted_rent - income
    return max(0, min(amount, ceiling))


def compute(content: dict, data: dict, on: date, *, check_window: bool = True) -> Computation:
    """Screen an application (or an extension's new figures) on the rules' content.

    `data`: household_size, incomes, rent, common_fee, assets, job_loss_on, incapacity_days,
    main_earner, job_seeker_registered (the `hb_application` fields; an extension passes the
    application's figures with its own incomes and assets).
    """
    notes: list[str] = []
    size = int(data["household_size"])
    row, above = household_row(content, size)
    if above:
        notes.append(above)
    fig = figures(content, size)
    base, ceiling = fig["base_amount"], fig["rent_ceiling"]
    rent = int(data["rent"])
    common_fee = int(data.get("common_fee") or 0)
    if common_fee:
        notes.append(f"共益費・管理費 {yen(common_fee)} は家賃に含めない")
    rent_counted = min(rent, ceiling)
    if rent > ceiling:
        notes.append(f"家賃 {yen(rent)} は住宅扶助基準上限 {yen(ceiling)} までを算定")
    income = counted_income(data.get("incomes") or [], notes)
    limit = base + rent_counted
    assets = int(data.get("assets") or 0)
    failures: list[Failure] = []
    if income > limit:
        failures.append(Failure("INCOME_OVER_LIMIT", f"収入要件不適合: 申請月の世帯収入 {yen(income)} が "
                                                     f"収入基準額 {yen(limit)} を超えるため"))
    if assets > fig["asset_limit"]:
        failures.append(Failure("ASSETS_OVER_LIMIT", f"資産要件不適合: 世帯の金融資産 {yen(assets)} が "
                                                     f"資産基準額 {yen(fig['asset_limit'])} を超えるため"))
    end = None
    if check_window and data.get("job_loss_on"):
        end = window_end(content, date.fromisoformat(str(data["job_loss_on"])),
                         int(data.get("incapacity_days") or 0), notes)
        if on > end:
            failures.append(Failure("SEPARATION_TOO_OLD", (
                f"離職等要件不適合: 離職日 {data['job_loss_on']} から申請日 {on.isoformat()} までが"
                f"期間（{end.isoformat()} まで）を超えるため")))
    elif check_window:
        notes.append("離職・廃業日の記入がないため、休業等による収入減少での申請として離職後の期間は判定しない")
    if check_window and data.get("main_earner") is False:
        failures.append(Failure("NOT_MAIN_EARNER", "主たる生計維持者要件不適合: 離職等の時点で世帯の主たる"
                                                   "生計維持者でなかったため"))
    if check_window and data.get("job_seeker_registered") is False:
        failures.append(Failure("NOT_JOB_SEEKER", "求職申込要件不適合: ハローワークへの求職申込みがないため"))
    return Computation(
        household_size=size, counted_income=income, counted_rent=rent_counted, base_amount=base,
        rent_ceiling=ceiling, income_limit=limit, asset_limit=fig["asset_limit"], assets=assets,
        monthly_amount=monthly_amount(base, rent_counted, ceiling, income),
        window_end=end.isoformat() if end else None, notes=notes, failures=failures,
    )


# -- months -----------------------------------------------------------------------------------
def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, count: int) -> str:
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months(first: str, count: int) -> list[str]:
    return [add_months(first, i) for i in range(count)]


def last_day(month: str) -> date:
    first_of_next = date.fromisoformat(add_months(month, 1) + "-01")
    return first_of_next - timedelta(days=1)


def duty_compliant(content: dict, record: dict) -> bool:
    """A month's record meets each of the rule version's minimum counts."""
    return all(int(record.get(name) or 0) >= int(minimum) for name, minimum in content["duties"].items())


def stop_month(content: dict, decided_on: date) -> str:
    """The first month a stop decided on that day takes effect, by the configured rule."""
    current = month_of(decided_on)
    return add_months(current, 1) if content.get("stop_effective", "next_month") == "next_month" else current
