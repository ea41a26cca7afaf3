"""A long case's audit timeline comes in pages, each an index range of its chain; every read is audited."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import history


def _sequences(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="event-(\d+)"', html)]


def test_a_long_timeline_is_paged_forwards_and_back(revised_case, auditor, login, monkeypatch):
    monkeypatch.setattr(history, "TIMELINE_PAGE", 5)
    client = login(auditor)
    first = client.get(f"/audit/cases/{revised_case}").get_data(as_text=True)
    assert _sequences(first) == [1, 2, 3, 4, 5]
    assert f"/audit/cases/{revised_case}?from=6" in first and "前の出来事" not in first
    second = client.get(f"/audit/cases/{revised_case}?from=6").get_data(as_text=True)
    assert _sequences(second) == [6, 7, 8, 9, 10]
    assert f'href="/audit/cases/{revised_case}"' in second and "?from=11" in second
    db.session.expire_all()
    total = db.session.query(AuditEvent).filter_by(chain=f"case:{revised_case}").count()  # each read added one
    last_start = total - (total - 1) % 5
    last = client.get(f"/audit/cases/{revised_case}?from={last_start}").get_data(as_text=True)
    assert _sequences(last)[0] == last_start and "次の出来事" not in last
    reads = (db.session.query(AuditEvent).filter_by(case_id=revised_case, event_type="case_history_viewed")
             .order_by(AuditEvent.id).all())
    assert [r.data.get("from_sequence") for r in reads] == [None, 6, last_start]


def test_a_short_timeline_is_one_page_without_links(revised_case, auditor, login):
    html = login(auditor).get(f"/audit/cases/{revised_case}").get_data(as_text=True)
    total = db.session.query(AuditEvent).filter_by(chain=f"case:{revised_case}").count()
    assert _sequences(html) == list(range(1, total))  # the page's own read is written after it is drawn
    assert "次の出来事" not in html and "前の出来事" not in html


def test_a_timeline_page_holds_100_events_with_links_both_ways(revised_case, auditor, login):
    from app import audit_chain

    for n in range(history.TIMELINE_PAGE + 30):
        audit_chain.record_case_event(revised_case, "note_added", None, n=n)
    db.session.commit()
    assert history.TIMELINE_PAGE == 100
    client = login(auditor)
    first = client.get(f"/audit/cases/{revised_case}").get_data(as_text=True)
    assert _sequences(first) == list(range(1, 101))
    assert f'href="/audit/cases/{revised_case}?from=101"' in first and "前の出来事" not in first
    db.session.expire_all()
    total = db.session.query(AuditEvent).filter_by(chain=f"case:{revised_case}").count()  # with the first read
    second = client.get(f"/audit/cases/{revised_case}?from=101").get_data(as_text=True)
    assert 100 < total < 200 and _sequences(second) == list(range(101, total + 1))
    assert f'href="/audit/cases/{revised_case}"' in second and "次の出来事" not in second
