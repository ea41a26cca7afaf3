"""The monthly table as CSV and as an .xlsx laid out like the monthly report (a sheet per ward, one for the city).

Only aggregates: ward codes, months and counts, never a case, a person or a task.
"""

from __future__ import annotations

import csv
import io

from app.codes import CLOSURE_REASONS, ROUTES, WARDS, label

from .counting import CITY

# (column key, Japanese header); nested keys are "per_100k.new_consultations" and the like.
COLUMNS = (
    ("ward", "区"), ("month", "年月"), ("fiscal_year", "年度"),
    ("new_consultations", "新規相談受付件数"), ("reconsultations", "うち再相談"),
    ("per_100k.new_consultations", "新規相談（人口10万人当たり）"), ("targets.new_consultations", "新規相談 目安値"),
    ("plans", "プラン作成件数"), ("per_100k.plans", "プラン作成（人口10万人当たり）"),
    ("targets.plans", "プラン作成 目安値"),
    ("employment_support_targets", "就労支援対象者数"),
    ("per_100k.employment_support_targets", "就労支援対象者（人口10万人当たり）"),
    ("targets.employment_support_targets", "就労支援対象者 目安値"),
    ("employed", "就労者数"), ("employed_of_which_plan", "うち就労支援対象プラン作成者"),
    ("income_increased", "増収者数"), ("income_increased_of_which_plan", "うち就労支援対象プラン作成者（増収）"),
    ("pa_referrals", "生活保護へのつなぎ"),
    ("hb_grants", "住居確保給付金 支給決定"), ("hb_refusals", "住居確保給付金 不支給"),
    ("hb_extensions", "住居確保給付金 延長"), ("hb_stops", "住居確保給付金 中止"),
    ("population", "人口"),
)


def ward_name(ward: str) -> str:
    return "横浜市（全市）" if ward == CITY else label(WARDS, ward)


def _value(row: dict, key: str):
    if "." in key:
        outer, inner = key.split(".", 1)
        return (row.get(outer) or {}).get(inner)
    return row.get(key)


def _cells(row: dict, ward_label: bool) -> list:
    cells = []
    for key, _title in COLUMNS:
        value = _value(row, key)
        if key == "ward" and ward_label:
            value = ward_name(value)
        cells.append(value)
    cells += [row["closures_by_reason"].get(reason, 0) for reason in CLOSURE_REASONS]
    cells += [row["routes"].get(route, 0) for route in ROUTES]
    return cells


def headers() -> list[str]:
    return ([title for _key, title in COLUMNS] + [f"終結（{label(CLOSURE_REASONS, r)}）" for r in CLOSURE_REASONS]
            + [f"相談経路（{label(ROUTES, r)}）" for r in ROUTES])


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), Japanese headers, ward codes kept for machines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows:
        writer.writerow(["" if v is None else v for v in _cells(row, ward_label=False)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def fiscal_year_label(year: int) -> str:
    if year >= 2019:
        reiwa = year - 2018
        return f"{year}年度（令和{'元' if reiwa == 1 else reiwa}年度）"
    return f"{year}年度（平成{year - 1988}年度）"


def to_xlsx(rows: list[dict]) -> bytes:
    """A sheet per ward (and the city), one line per month, headed with the fiscal year(s) covered."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    by_ward: dict[str, list[dict]] = {}
    for row in rows:
        by_ward.setdefault(row["ward"], []).append(row)
    for ward, ward_rows in by_ward.items():
        sheet = book.create_sheet(title=ward_name(ward)[:31])
        years = sorted({row["fiscal_year"] for row in ward_rows})
        sheet.append([f"生活困窮者自立支援制度 支援状況調査（月次） {ward_name(ward)}"])
        sheet.append(["対象年度", "・".join(fiscal_year_label(y) for y in years),
                      "期間", f"{ward_rows[0]['month']}〜{ward_rows[-1]['month']}"])
        sheet.append(headers())
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in ward_rows:
            sheet.append(_cells(row, ward_label=True))
        sheet.freeze_panes = "D4"
        sheet["A1"].font = Font(bold=True, size=12)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER_ROWS = 3  # title, fiscal year, column headers: the data start on row 4
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
