"""Payments: one a month to the payee on file, scheduled by a grant or an extension, paid once by the
month's payment run, cancelled (never clawed back) by a stop from its effective month on."""

from __future__ import annotations

import csv
import io
import logging

import sqlalchemy as sa

from app.clock import now
from app.extensions import db
from app.lifecycle import steps
from app.models import HbApplication, HbDecision, HbPayment
from app.services.cases.transaction import Attempt, one_transaction

log = logging.getLogger("tsunagi.housing_benefit")


def schedule(application: HbApplication, decision: HbDecision, months: list[str], amount: int) -> list[HbPayment]:
    rows = [HbPayment(application_id=application.id, case_id=application.case_id, ward=application.ward, month=m,
                      amount=amount, payee=application.payee, payee_name=application.payee_name,
                      status="scheduled", decision_id=decision.id) for m in months]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def cancel_from(application: HbApplication, month: str, decision: HbDecision) -> list[str]:
    """Cancel the scheduled payments of `month` and later; paid ones stay paid. Returns the months."""
    cancelled = []
    for payment in db.session.query(HbPayment).filter(
            HbPayment.application_id == application.id, HbPayment.month >= month,
            HbPayment.status == "scheduled").order_by(HbPayment.month):
        payment.status = "cancelled"
        payment.cancelled_by_id = decision.id
        cancelled.append(payment.month)
    return cancelled


def paid_months(application: HbApplication) -> list[str]:
    return [m for (m,) in db.session.query(HbPayment.month).filter_by(application_id=application.id, status="paid")
            .order_by(HbPayment.month)]


# -- the monthly payment run -----------------------------------------------------------------
_MARK_PAID = (
    sa.update(HbPayment)
    .where(HbPayment.case_id == sa.bindparam("run_case_id"), HbPayment.month == sa.bindparam("run_month"),
           HbPayment.status == "scheduled")
    .values(status="paid", paid_at=sa.bindparam("run_paid_at"))
    .returning(HbPayment.id, HbPayment.amount, HbPayment.application_id)
)


def pay_month(month: str, actor=None) -> int:
    """Mark the month's scheduled payments paid, one case (one transaction) at a time; returns how many.

    Exactly once whoever runs it, how often and on how many hosts: each case's payments are
    marked under its case lock by a conditional update, so a second run finds them paid already.
    """
    case_ids = [cid for (cid,) in db.session.query(HbPayment.case_id).filter_by(month=month, status="scheduled")
                .distinct().order_by(HbPayment.case_id)]
    db.session.rollback()
    paid = 0
    for case_id in case_ids:
        with one_transaction(actor, Attempt("支払", "住居確保給付金の支払", case_id)):
            step = steps.lock(case_id, actor)
            rows = db.session.execute(_MARK_PAID, {"run_case_id": case_id, "run_month": month,
                                                    "run_paid_at": now()}).all()
            for payment_id, amount, application_id in rows:
                step.record("hb_payment_paid", application_id=application_id, payment_id=payment_id, month=month,
                            amount=amount)
            paid += len(rows)
    log.info("housing benefit %s: %s payment(s) marked paid", month, paid)
    return paid


# -- the finance section's list --------------------------------------------------------------
HEADER = ["支払先", "支払額", "ケース番号", "対象月"]


def payment_list(month: str, ward: str | None = None) -> list[list]:
    """Payee, amount, case number, month: nothing else about the person."""
    query = db.session.query(HbPayment).filter(HbPayment.month == month, HbPayment.status.in_(("scheduled", "paid")))
    if ward:
        query = query.filter(HbPayment.ward == ward)
    return [[p.payee_name, p.amount, p.case_id, p.month] for p in query.order_by(HbPayment.case_id, HbPayment.id)]


def payment_list_csv(month: str, ward: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(payment_list(month, ward))
    return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM as Japanese


def payment_list_xlsx(month: str, ward: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = month
    sheet.append(HEADER)
    for row in payment_list(month, ward):
        sheet.append(row)
    book.properties.creator = "tsunagi"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_for(user, month: str, fmt: str) -> tuple[bytes, str]:
    """The finance list of the user's ward (lead workers and section chiefs only); (body, mimetype)."""
    from app.access import policy
    from app.errors import Forbidden, ValidationFailed

    if not policy.is_supervisor_of(user, user.ward):
        raise Forbidden("支払一覧は区の主任相談支援員・係長が出力できます")
    if fmt not in ("csv", "xlsx") or len(month or "") != 7 or month[4] != "-" \
            or not (month[:4].isdigit() and month[5:].isdigit() and 1 <= int(month[5:]) <= 12):
        raise ValidationFailed({"month": ["年月は YYYY-MM、形式は csv か xlsx で指定してください"]})
    if fmt == "xlsx":
        return (payment_list_xlsx(month, user.ward),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return payment_list_csv(month, user.ward), "text/csv"
