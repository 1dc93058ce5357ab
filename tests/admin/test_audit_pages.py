"""The audit trail page (CX leaders and admins): filters, links to what each entry is about,
pages of entries, a constant number of queries."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from tests import factories
from tests.queries import count_statements


def _entry(actor_id=None, entity="initiative", entity_id=None, at=None, action="update", **changes):
    db.session.add(AuditEntry(actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
                              changes=changes or {"title": ["Old", "New"]},
                              created_at=at or datetime(2026, 11, 10, 9, tzinfo=timezone.utc)))


def _world(app):
    with app.app_context():
        leader = factories.create_user("cx_leader", name="Lena Fischer")
        other = factories.create_user("member", name="Tom Wagner")
        initiative = factories.create_initiative(title="Call-back service")
        cash_flow = factories.add_cash_flow(initiative)
        meeting = factories.create_meeting()
        db.session.execute(delete(AuditEntry))  # only the entries written below
        _entry(leader.id, "initiative", initiative.id, datetime(2026, 11, 1, 9, tzinfo=timezone.utc))
        _entry(leader.id, "cash_flow", cash_flow.id, datetime(2026, 11, 5, 9, tzinfo=timezone.utc))
        _entry(other.id, "meeting", meeting.id, datetime(2026, 11, 20, 9, tzinfo=timezone.utc))
        _entry(other.id, "initiative", 999_999, datetime(2026, 11, 21, 9, tzinfo=timezone.utc), action="delete")
        db.session.commit()
        return {"leader": leader.id, "other": other.id, "initiative": initiative.id, "meeting": meeting.id}


@pytest.mark.parametrize("role", ["member", "executive"])
def test_only_cx_leaders_and_admins_read_it(page_as, role):
    client = page_as(role)
    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/").get_data(as_text=True)


def test_entries_link_to_the_page_of_what_they_are_about(app, page_as):
    ids = _world(app)
    html = page_as("cx_leader").get("/audit").get_data(as_text=True)
    assert f'href="/initiatives/{ids["initiative"]}"' in html  # the initiative, and its cash flow's
    assert html.count(f'href="/initiatives/{ids["initiative"]}"') == 2
    assert "Open the initiative" in html  # the cash flow links to its initiative
    assert f'href="/meetings/{ids["meeting"]}"' in html
    assert "No page" in html  # the deleted initiative has none
    assert "Title: Old → New" in html and "Lena Fischer" in html


def test_filters_by_record_person_and_dates(app, page_as):
    ids = _world(app)
    client = page_as("admin")
    html = client.get("/audit?entity=meeting").get_data(as_text=True)
    assert f'href="/meetings/{ids["meeting"]}"' in html and "/initiatives/" not in html
    html = client.get(f"/audit?actor_id={ids['leader']}").get_data(as_text=True)
    assert f'href="/initiatives/{ids["initiative"]}"' in html and "/meetings/" not in html
    html = client.get("/audit?start=2026-11-04&end=2026-11-20").get_data(as_text=True)
    assert html.count('<tr id="entry-') == 2  # the cash flow's (5 Nov) and the meeting's (20 Nov)
    bad = client.get("/audit?start=2026-13-01&end=2026-11-01")
    assert bad.status_code == 422
    assert "Enter the first day as a date, like 2026-12-31." in bad.get_data(as_text=True)
    backwards = client.get("/audit?start=2026-11-05&end=2026-11-01")
    assert backwards.status_code == 422 and "on or after the first day" in backwards.get_data(as_text=True)


def test_pages_of_fifty_newest_first(app, page_as):
    with app.app_context():
        db.session.execute(delete(AuditEntry))
        for n in range(60):
            _entry(entity="journey", entity_id=n + 1, title=["a", str(n)])
        db.session.commit()
    client = page_as("cx_leader")
    first = client.get("/audit?entity=journey").get_data(as_text=True)
    assert first.count('<tr id="entry-') == 50 and "Older entries" in first and "Newer entries" not in first
    second = client.get("/audit?entity=journey&page=2").get_data(as_text=True)
    assert second.count('<tr id="entry-') == 10 and "Newer entries" in second
    assert 'href="/audit?entity=journey&amp;page=1"' in second


def test_the_page_costs_a_constant_number_of_queries(app, page_as):
    client = page_as("admin")
    ids = _world(app)  # (the audit trail holds only its four entries, of three kinds of record)

    def queries():
        return count_statements(app, lambda: client.get("/audit"))

    small = queries()
    with app.app_context():
        initiative = factories.create_initiative()
        cash_flows = [factories.add_cash_flow(initiative, year=n % 5).id for n in range(10)]
        meetings = [factories.create_meeting().id for _ in range(10)]
        db.session.execute(delete(AuditEntry))  # more entries, of the same kinds
        for n in range(10):
            _entry(ids["leader"], "initiative", initiative.id)
            _entry(ids["other"], "cash_flow", cash_flows[n])
            _entry(ids["other"], "meeting", meetings[n])
            _entry(ids["other"], "initiative", 999_000 + n, action="delete")
        db.session.commit()
    assert queries() == small


def test_every_kind_of_record_it_links_names_its_container(app):
    from cxgov.admin.views import CONTAINED, SUBJECT_MODELS, SUBJECT_PAGES, _model

    with app.app_context():
        for entity, (name, column, parent) in CONTAINED.items():
            model = _model(name)
            assert hasattr(model, "id") and hasattr(model, column), entity
            assert parent in SUBJECT_PAGES
        assert set(SUBJECT_MODELS) == set(SUBJECT_PAGES)
        assert all(endpoint in app.view_functions for endpoint, _ in SUBJECT_PAGES.values())


def test_recorded_values_read_as_on_every_page(app):
    from cxgov.admin.views import changes_shown

    with app.app_context():
        _check_changes_shown(changes_shown)


def _check_changes_shown(changes_shown):
    shown, more = changes_shown({"due_on": ["2026-11-01", "2026-12-24"], "password_hash": ["***", "***"],
                                 "active": [True, False], "last_login_at": [None, "2026-11-30T16:34:35+00:00"]})
    assert dict(shown) == {"Due on": "1 Nov 2026 → 24 Dec 2026", "Password hash": "(not shown) → (not shown)",
                           "Active": "yes → no", "Last login at": "— → 30 Nov 2026, 16:34"}
    assert more == 0
    assert changes_shown({f"f{n}": n for n in range(9)})[1] == 3
