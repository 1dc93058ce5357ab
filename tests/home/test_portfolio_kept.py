"""The home page keeps the portfolio's headline per process while the portfolio's data token
(`cxgov.data_versions`, changed by every write to initiatives, cash flows, baselines, departments
and journeys) stays
the same: every change of the portfolio shows at the next view, with the ROI report's figures."""
from decimal import Decimal

from sqlalchemy import select

from cxgov import data_versions
from cxgov.extensions import db
from cxgov.formatting import money as format_money
from cxgov.initiatives.models import Initiative
from tests import factories
from tests.home.conftest import region, text
from tests.home.test_dashboard import _portfolio, home
from tests.queries import count_statements


def test_every_change_of_the_portfolio_shows_at_the_next_view(app, persona, login_as):
    client = persona("executive")
    _portfolio(app)
    api = login_as("cx_leader")
    with app.app_context():
        chat = db.session.scalar(select(Initiative).where(Initiative.title == "Chat widget"))
        chat_id = chat.id

    def shown():
        return text(region(home(client), "home-npv"))

    def reported():
        return format_money(Decimal(api.get("/api/reports/roi?portfolio=funded").json["totals"]["npv"]))

    seen = [shown()]
    assert seen[-1] == reported()
    assert shown() == seen[-1]  # a second view, from what the process kept

    flow = api.post(f"/api/initiatives/{chat_id}/cash-flows",
                    json={"kind": "benefit", "category": "savings", "year": 2, "amount": "5000"})
    assert flow.status_code == 201
    seen.append(shown())
    flow_path = f"/api/initiatives/{chat_id}/cash-flows/{flow.json['id']}"
    changed = api.patch(flow_path, json={"amount": "7000"}, headers={"If-Match": flow.headers["ETag"]})
    assert changed.status_code == 200, changed.json
    seen.append(shown())
    assert api.delete(flow_path, headers={"If-Match": changed.headers["ETag"]}).status_code == 204
    seen.append(shown())
    with app.app_context():  # funded no more: out of the portfolio
        db.session.get(Initiative, chat_id).status = "cancelled"
        db.session.commit()
    seen.append(shown())
    assert seen[-1] == reported()
    assert all(before != after for before, after in zip(seen, seen[1:], strict=False)), seen  # each step shows
    assert seen[2] != seen[0] and seen[3] == seen[0]  # the flow deleted: back where it was


def test_only_a_committed_write_to_the_portfolios_tables_changes_its_token(app):
    with app.app_context():
        token = data_versions.current("portfolio")
        assert token is not None
        factories.create_committee()  # not one of the portfolio's tables
        assert data_versions.current("portfolio") == token
        initiative = factories.create_initiative()  # the factory commits
        assert data_versions.current("portfolio") != token
        token = data_versions.current("portfolio")
        initiative.title = "Renamed, then rolled back"
        db.session.flush()
        db.session.rollback()
        assert data_versions.current("portfolio") == token
        factories.add_cash_flow(initiative, "cost", 0, "100")
        assert data_versions.current("portfolio") != token


def test_a_kept_headline_is_read_not_computed_again(app, persona):
    """Viewed again with the same token, the home page reads the token and not the portfolio: fewer
    statements than after a new token, when it computes the headline once more."""
    client = persona("executive")
    _portfolio(app)
    home(client)
    kept = count_statements(app, lambda: client.get("/"))
    with app.app_context():
        data_versions.bump("portfolio")
        db.session.commit()
    assert count_statements(app, lambda: client.get("/")) > kept  # computed again after the bump
    assert count_statements(app, lambda: client.get("/")) == kept
