"""The home page is each person's dashboard: the sections that apply to them, every figure from
the service that owns it, a plain-words empty state for each, in a fixed number of queries."""
from datetime import timedelta
from decimal import Decimal

from cxgov.db import today, utcnow
from cxgov.extensions import db
from cxgov.formatting import money as format_money
from cxgov.formatting import money_compact
from cxgov.formatting import months as format_months
from cxgov.formatting import percent as format_percent
from cxgov.initiatives.gate import freeze_baseline
from cxgov.models import User
from tests import factories
from tests.home.conftest import region, text
from tests.queries import count_statements

TODAY = today()


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def sections(html):
    return {name for name in ("leader", "portfolio", "ambassador", "journeys", "work")
            if f'id="home-{name}"' in html}


# -- who sees which section ----------------------------------------------------------------------

def test_each_person_gets_the_sections_that_apply_to_them(app, persona):
    assert sections(home(persona("cx_leader"))) == {"leader"}
    assert sections(home(persona("admin"))) == {"leader", "portfolio"}
    assert sections(home(persona("executive"))) == {"portfolio"}
    assert sections(home(persona("member"))) == {"work"}
    assert sections(home(persona("ambassador"))) == {"ambassador", "work"}
    assert sections(home(persona("journey_owner"))) == {"journeys", "work"}


def test_a_member_who_is_an_ambassador_and_owns_a_journey_sees_both(app, persona):
    client = persona("ambassador")
    with app.app_context():
        factories.create_journey(owner=db.session.get(User, client.user_id), name="Onboarding")
    assert sections(home(client)) == {"ambassador", "journeys", "work"}


def test_a_leader_with_work_of_their_own_sees_it_too(app, persona):
    client = persona("cx_leader")
    with app.app_context():
        factories.create_action_item(owner=db.session.get(User, client.user_id), title="Draft the charter")
    html = home(client)
    assert sections(html) == {"leader", "work"}
    assert "Draft the charter" in region(html, "home-my-items")


def test_the_raw_api_description_is_no_longer_on_the_home_page(app, persona):
    html = home(persona("member"))
    main = region(html, "main") if 'id="main"' in html else html.split("<main", 1)[1].split("</main>")[0]
    assert "openapi" not in main.lower()
    assert '<a href="/api/openapi.json">API</a>' in html  # the developers' link, in the footer


# -- the CX leader -------------------------------------------------------------------------------

def test_a_leader_sees_the_five_oldest_proposals_not_on_the_agenda_and_how_many(app, persona):
    client = persona("cx_leader")
    with app.app_context():
        meeting = factories.create_meeting(title="December steering", starts_at=utcnow() + timedelta(days=3))
        proposals = [factories.create_initiative(title=f"Proposal {n}") for n in range(1, 9)]
        factories.add_agenda_item(meeting, title="Decide: Proposal 2", kind="decision",
                                  initiative_id=proposals[1].id)
        factories.create_initiative(title="Approved one", status="approved")
    html = home(client)
    awaiting = region(html, "home-awaiting")
    assert [f"Proposal {n}" for n in (1, 3, 4, 5, 6)] == [
        title for title in (f"Proposal {n}" for n in range(1, 9)) if f">{title}<" in awaiting]
    assert "All 7 proposals" in html
    assert "Decide: Proposal 2" in region(html, "home-next-meeting")


def test_a_leader_sees_what_needs_steering(app, persona):
    client = persona("cx_leader")
    with app.app_context():
        owner = factories.create_user(name="Mia Schubert")
        meeting = factories.create_meeting(title="December steering", starts_at=utcnow() + timedelta(days=3))
        factories.create_meeting(title="Later steering", starts_at=utcnow() + timedelta(days=40))
        factories.create_meeting(title="Cancelled steering", starts_at=utcnow() + timedelta(days=1), status="cancelled")
        factories.add_agenda_item(meeting, title="Budget for next year", kind="decision")
        factories.add_agenda_item(meeting, title="Welcome", kind="information")
        on_agenda = factories.create_initiative(title="Photo upload for claims")
        factories.add_agenda_item(meeting, title="Review: photo upload", kind="initiative_review",
                                  initiative_id=on_agenda.id)
        factories.create_initiative(title="Callback instead of hold queue")  # proposed, not on the agenda
        factories.create_action_item(owner=owner, title="Set up the KPI import", due_on=TODAY - timedelta(days=9))
        factories.create_action_item(owner=owner, title="Due next week", due_on=TODAY + timedelta(days=7))
        factories.create_action_item(owner=owner, title="Done already", due_on=TODAY - timedelta(days=9),
                                     status="done")
        journey = factories.create_journey(name="Policy renewal")
        factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=60), value=Decimal("14"))
        factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=30), value=Decimal("9"))
        # Churn is lower-is-better: falling is good news, not a warning.
        factories.create_measurement(
            journey, "churn_rate", period_start=TODAY - timedelta(days=60), value=Decimal("12")
        )
        factories.create_measurement(
            journey, "churn_rate", period_start=TODAY - timedelta(days=30), value=Decimal("11")
        )
        silent_user = factories.create_user(name="Hanna Vogel")
        factories.create_ambassador(user=silent_user, department=factories.create_department(name="Finance"),
                                    started_on=TODAY - timedelta(days=90))
        busy = factories.create_ambassador(department=factories.create_department(name="Sales"),
                                           started_on=TODAY - timedelta(days=90))
        factories.create_ambassador_action(busy, occurred_on=TODAY - timedelta(days=3))
        delivered = factories.create_initiative(title="Plain-language letters", status="delivered",
                                                delivered_on=TODAY - timedelta(days=40))
        factories.add_impact(delivered, "nps")
    html = home(client)

    meeting_html = region(html, "home-next-meeting")
    assert "December steering" in meeting_html and "Later steering" not in meeting_html
    assert "Cancelled" not in meeting_html
    assert "Budget for next year" in meeting_html and "Review: photo upload" in meeting_html
    assert "Welcome" not in meeting_html
    awaiting = region(html, "home-awaiting")
    assert "Callback instead of hold queue" in awaiting and "Photo upload for claims" not in awaiting

    overdue = text(region(html, "home-overdue"))
    assert "Set up the KPI import" in overdue and "Mia Schubert" in overdue
    assert "Due next week" not in overdue and "Done already" not in overdue

    wrong_way = text(region(html, "home-wrong-way"))
    assert "Policy renewal: Net Promoter Score 14 → 9" in wrong_way
    assert "Churn" not in wrong_way

    silent = text(region(html, "home-silent"))
    assert "Hanna Vogel Finance" in silent and "Sales" not in silent

    assert "Plain-language letters" in region(html, "home-unmeasured")


def test_a_leader_sees_plain_words_when_nothing_needs_steering(app, persona):
    html = home(persona("cx_leader"))
    assert "No meeting is scheduled" in region(html, "home-next-meeting")
    assert "No proposal is waiting" in region(html, "home-next-meeting")
    assert "Nothing is overdue" in region(html, "home-overdue")
    assert "No journey's latest KPI is worse than the one before" in region(html, "home-wrong-way")
    assert "Every ambassador logged an action" in region(html, "home-silent")
    assert "Every delivered initiative's impact has been measured" in region(html, "home-unmeasured")


# -- the executive -------------------------------------------------------------------------------

def _portfolio(app):
    with app.app_context():
        best = factories.create_initiative(title="Self-service portal", status="in_progress")
        factories.add_cash_flow(best, "cost", 0, "10000")
        factories.add_cash_flow(best, "benefit", 1, "9000", risk_adjustment=Decimal("0.1"))
        factories.add_cash_flow(best, "benefit", 2, "9000")
        factories.add_cash_flow(best, "benefit", 1, "4000", basis="actual")
        factories.add_cash_flow(best, "cost", 0, "12000", basis="actual")
        worst = factories.create_initiative(title="Branch booking", status="approved")
        factories.add_cash_flow(worst, "cost", 0, "8000")
        factories.add_cash_flow(worst, "benefit", 1, "3000")
        middle = factories.create_initiative(title="SMS reminders", status="delivered", delivered_on=TODAY)
        factories.add_cash_flow(middle, "cost", 0, "2000")
        factories.add_cash_flow(middle, "benefit", 1, "2500")
        small = factories.create_initiative(title="Chat widget", status="approved")
        factories.add_cash_flow(small, "cost", 0, "1000")
        factories.add_cash_flow(small, "benefit", 1, "1200")
        proposal = factories.create_initiative(title="Unfunded proposal", status="proposed")
        factories.add_cash_flow(proposal, "benefit", 1, "999999")


def test_the_executive_sees_the_roi_reports_figures(app, persona, login_as):
    client = persona("executive")
    _portfolio(app)
    html = home(client)
    api = login_as("executive")
    planned = api.get("/api/reports/roi?portfolio=funded").json["totals"]
    actual = api.get("/api/reports/roi?portfolio=funded&basis=actual").json["totals"]

    assert text(region(html, "home-npv")) == format_money(Decimal(planned["npv"]))
    assert text(region(html, "home-roi")) == format_percent(Decimal(str(planned["roi"])))
    assert text(region(html, "home-pv-costs")) == format_money(Decimal(planned["pv_costs"]))
    # Payback is the report page's own headline figure.
    report_page = client.get("/reports/roi").get_data(as_text=True)
    assert format_months(None) not in text(region(html, "home-payback"))
    assert text(region(html, "home-payback")) in text(report_page)

    rows = text(region(html, "home-planned-actual"))
    assert f"Planned {format_money(Decimal(planned['npv']))}" in rows
    assert f"Actual to date, years 0–1 {format_money(Decimal(actual['npv']))}" in rows
    assert "999,999" not in html  # a proposal is not funded

    top = text(region(html, "home-top"))
    assert top.index("Self-service portal") < top.index("SMS reminders") < top.index("Chat widget")
    assert "Branch booking" not in top
    bottom = text(region(html, "home-bottom"))
    assert "Branch booking" in bottom and "Chat widget" not in bottom


def test_the_executive_is_told_when_nothing_is_funded(app, persona):
    html = home(persona("executive"))
    assert "No initiative has been funded yet" in region(html, "home-portfolio")


def test_the_executive_reads_the_benefits_realisation_headline(app, persona, login_as):
    client = persona("executive")
    _portfolio(app)
    assert "No funded initiative has an approved baseline yet" in text(region(home(client), "home-benefits"))
    with app.app_context():
        for title, start, actual in (("Self-service portal", 400, "3000"), ("Branch booking", 30, "0"),
                                     ("Unfunded proposal", 400, "50")):
            initiative = db.session.scalars(db.select(factories.Initiative).where(
                factories.Initiative.title == title)).one()
            initiative.start_on = TODAY - timedelta(days=start)
            freeze_baseline(initiative, TODAY - timedelta(days=start))
            if actual != "0":
                factories.add_cash_flow(initiative, "benefit", 1, actual, basis="actual")
        db.session.commit()
    html = home(client)
    totals = login_as("executive").get("/api/reports/benefits?portfolio=funded").json["totals"]
    # Self-service portal: 9 000 × 0.9 = 8 100 planned in year 1, 3 000 + 4 000 actual; Branch booking:
    # year 0 only, no benefit planned in it. The proposal is not funded. 7 000 / 8 100 = 86 %.
    assert (totals["planned_to_date"], totals["actual_to_date"], totals["realisation"]) == ("8100.00", "7000.00",
                                                                                             0.8642)
    headline = region(html, "home-benefits")
    assert text(region(html, "home-realisation")) == "Realised 86% of the benefits planned to date"
    assert format_percent(Decimal(str(totals["realisation"])), 0) == "86%"
    with app.app_context():
        figures = (f"({money_compact(Decimal(totals['actual_to_date']), True)} of "
                   f"{money_compact(Decimal(totals['planned_to_date']), True)}; 0 initiatives below 70%)")
    assert figures == "(€7K of €8.1K; 0 initiatives below 70%)"
    assert figures in text(headline)
    assert 'href="/reports/roi#benefits"' in headline


def test_the_executive_is_told_when_nothing_is_planned_to_date(app, persona):
    client = persona("executive")
    with app.app_context():
        later = factories.create_initiative(title="Later", status="approved", start_on=TODAY + timedelta(days=5))
        factories.add_cash_flow(later, "benefit", 0, "1000")
        freeze_baseline(later, TODAY)
        db.session.commit()
    headline = text(region(home(client), "home-benefits"))
    assert "Benefits realisation: nothing is planned to date yet" in headline
    assert "Realised" not in headline


# -- the ambassador ------------------------------------------------------------------------------

def test_an_ambassador_logs_from_home_and_sees_own_and_department_activity(app, persona):
    client = persona("ambassador")
    with app.app_context():
        user = db.session.get(User, client.user_id)
        own = db.session.scalars(db.select(factories.Ambassador).where(factories.Ambassador.user_id == user.id)).one()
        factories.create_ambassador_action(
            own, title="Shared a claimant's story", occurred_on=TODAY - timedelta(days=2), people_reached=18
        )
        predecessor = factories.create_ambassador(department=db.session.get(factories.Department, own.department_id),
                                                  started_on=TODAY - timedelta(days=200),
                                                  ended_on=TODAY - timedelta(days=11))
        factories.create_ambassador_action(predecessor, title="Trained the night shift",
                                           occurred_on=TODAY - timedelta(days=20), people_reached=7)
        factories.create_ambassador_action(title="Another department's action", occurred_on=TODAY)
    html = home(client)
    section = region(html, "home-ambassador")
    assert 'href="/ambassadors/log"' in section and "Log an action" in section
    own_html = text(region(html, "home-own-actions"))
    assert "Shared a claimant's story" in own_html and "Trained the night shift" not in own_html
    department = text(region(html, "home-department-activity"))
    assert "Shared a claimant's story" in department and "Trained the night shift" in department
    assert "Another department's action" not in department
    assert "2 actions, 25 people reached in the last 90 days" in department


def test_a_new_ambassador_sees_plain_words(app, persona):
    html = home(persona("ambassador"))
    assert "You have not logged an action yet" in region(html, "home-own-actions")
    assert "Nothing logged for your department yet" in region(html, "home-department-activity")


def test_an_ended_assignment_shows_no_ambassador_section(app, persona):
    client = persona("member")
    with app.app_context():
        factories.create_ambassador(user=db.session.get(User, client.user_id), started_on=TODAY - timedelta(days=90),
                                    ended_on=TODAY - timedelta(days=1))
    assert "ambassador" not in sections(home(client))


# -- the member ----------------------------------------------------------------------------------

def test_a_member_sees_open_items_with_overdue_highlighted_and_own_initiatives(app, persona):
    client = persona("member")
    with app.app_context():
        me = db.session.get(User, client.user_id)
        factories.create_action_item(owner=me, title="Late item", due_on=TODAY - timedelta(days=2))
        factories.create_action_item(owner=me, title="Future item", due_on=TODAY + timedelta(days=5))
        factories.create_action_item(owner=me, title="Finished item", status="done")
        factories.create_action_item(title="Someone else's item")
        factories.create_initiative(owner=me, title="My portal", status="in_progress")
        factories.create_initiative(owner=me, title="My old idea", status="rejected")
        factories.create_initiative(title="Not mine")
    html = home(client)
    items = region(html, "home-my-items")
    assert "Future item" in items and "Finished item" not in items and "Someone else" not in items
    assert '<li class="home-overdue">Late item' in items
    assert "overdue" not in items.split("Future item")[1].split("</li>")[0]
    initiatives = text(region(html, "home-my-initiatives"))
    assert "My portal In progress" in initiatives
    assert "My old idea" not in initiatives and "Not mine" not in initiatives


def test_a_member_with_nothing_assigned_sees_plain_words(app, persona):
    html = home(persona("member"))
    assert "Nothing open on your list" in region(html, "home-my-items")
    assert "You own no open initiative" in region(html, "home-my-initiatives")


# -- the journey owner ---------------------------------------------------------------------------

def test_a_journey_owner_sees_the_latest_kpi_values_of_their_journeys(app, persona, login_as):
    client = persona("journey_owner")
    with app.app_context():
        me = db.session.get(User, client.user_id)
        journey = db.session.scalars(db.select(factories.Journey).where(factories.Journey.owner_id == me.id)).one()
        factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=60), value=Decimal("20"))
        factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=30), value=Decimal("24.5"))
        stage = factories.create_stage(journey)
        # A stage's value is not the journey's.
        factories.create_measurement(journey, "nps", stage_id=stage.id, period_start=TODAY, value=Decimal("99"))
        factories.create_journey(owner=me, name="Unmeasured journey")
        factories.create_journey(owner=me, name="Retired journey", status="retired")
        factories.create_journey(name="Someone else's journey")
        journey_id = journey.id
    html = home(client)
    section = region(html, "home-journeys")
    assert "Retired journey" not in section and "Someone else" not in section
    rows = text(section)
    assert "Net Promoter Score 24.5 ↑ (better) 20" in rows
    assert "99" not in rows
    assert "No KPI measured on this journey yet" in rows
    # The same latest value as the last point of the journey report's series.
    report = login_as("cx_leader").get(f"/api/reports/journeys/{journey_id}").json
    nps = next(entry for entry in report["metrics"] if entry["metric"]["code"] == "nps")
    assert nps["series"][-1]["value"] == 24.5


# -- bounded queries -----------------------------------------------------------------------------

def _grow(app, user_id, n):
    """n more of every row the admin's dashboard lists (the admin is also an ambassador, owns
    journeys, action items and initiatives)."""
    with app.app_context():
        me = db.session.get(User, user_id)
        meeting = db.session.scalars(db.select(factories.Meeting)).first() or factories.create_meeting(
            starts_at=utcnow() + timedelta(days=2))
        own = db.session.scalars(db.select(factories.Ambassador).where(factories.Ambassador.user_id == me.id)).first() \
            or factories.create_ambassador(user=me, started_on=TODAY - timedelta(days=10))
        for _ in range(n):
            proposal = factories.create_initiative()
            factories.add_agenda_item(meeting, kind="decision", initiative_id=proposal.id)
            factories.create_initiative(owner=me, status="in_progress")
            factories.create_action_item(due_on=TODAY - timedelta(days=3))
            factories.create_action_item(owner=me, due_on=TODAY - timedelta(days=1))
            journey = factories.create_journey(owner=me)
            factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=60), value=Decimal("30"))
            factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=30), value=Decimal("25"))
            factories.create_ambassador(started_on=TODAY - timedelta(days=60))
            factories.create_ambassador_action(own, occurred_on=TODAY)
            funded = factories.create_initiative(status="delivered", delivered_on=TODAY - timedelta(days=40),
                                                 start_on=TODAY - timedelta(days=400))
            factories.add_impact(funded, "csat")
            factories.add_cash_flow(funded, "cost", 0, "500")
            factories.add_cash_flow(funded, "benefit", 1, "900")
            freeze_baseline(funded, TODAY - timedelta(days=400))  # its benefits realisation counts too
            factories.add_cash_flow(funded, "benefit", 1, "400", basis="actual")


def test_the_dashboard_costs_the_same_queries_whatever_the_data(app, persona):
    client = persona("admin")
    _grow(app, client.user_id, 2)
    home(client)  # both counts with the portfolio's headline kept (tests/home/test_portfolio_kept.py)
    few = count_statements(app, lambda: client.get("/"))
    _grow(app, client.user_id, 6)
    html = home(client)
    assert sections(html) == {"leader", "portfolio", "ambassador", "journeys", "work"}
    assert count_statements(app, lambda: client.get("/")) == few


def _targets(app, count):
    """`count` journeys, each with NPS 30 and three targets: 31 (near), 50 (off), 25 (met); a
    retired journey's off target is left out."""
    from datetime import date
    with app.app_context():
        for index in range(count):
            journey = factories.create_journey(name=f"Targeted {index} {factories._n()}")
            factories.create_measurement(journey, value=Decimal("30"))
            for value in ("31", "50", "25"):
                factories.create_target(journey, value=Decimal(value), due_on=date(2026, 12, 31))
        retired = factories.create_journey(name=f"Old {factories._n()}", status="retired")
        factories.create_measurement(retired, value=Decimal("1"))
        factories.create_target(retired, value=Decimal("90"))
        db.session.commit()


def test_the_leader_sees_targets_off_track_or_near_worst_first(app, persona):
    client = persona("cx_leader")
    _targets(app, 1)
    few = count_statements(app, lambda: client.get("/"))
    shown = text(region(home(client), "home-targets"))
    assert shown.index("Off track") < shown.index("Near") and "Met" not in shown and "Old" not in shown
    assert "30 for ≥ 50 by" in shown and "30 for ≥ 31 by" in shown
    _targets(app, 4)
    assert count_statements(app, lambda: client.get("/")) == few
    shown = text(region(home(client), "home-targets"))
    assert shown.count("Off track") == 5 and shown.count("Near") == 5  # the ten worst: the off ones first
    assert "The 10 furthest off of 10." not in shown
    _targets(app, 1)
    assert "The 10 furthest off of 12." in text(region(home(client), "home-targets"))


def test_the_long_lists_show_the_first_ten_and_count_the_rest(app, persona):
    """A large organisation's home page lists ten of each long list, counts them all, and stays
    the same size as it grows."""
    client = persona("admin")
    _grow(app, client.user_id, 12)
    with app.app_context():
        fall = factories.create_journey(name="Steep fall")
        factories.create_measurement(fall, "nps", period_start=TODAY - timedelta(days=60), value=Decimal("40"))
        factories.create_measurement(fall, "nps", period_start=TODAY - timedelta(days=30), value=Decimal("10"))
    html = home(client)
    for name, counted in (("home-wrong-way", "The 10 largest moves of 13."),
                          ("home-unmeasured", "The 10 delivered longest ago of 12."),
                          ("home-my-items", "The 10 due soonest of 12."),
                          ("home-my-initiatives", "The 10 with the nearest target of 12."),
                          ("home-silent", "10 of 12.")):
        part = region(html, name)
        assert part.count("<li") == 10, name
        assert counted in text(part), name
    first = "KPIs moving the wrong way Steep fall: Net Promoter Score 40 → 10"
    assert text(region(html, "home-wrong-way")).startswith(first)  # the largest move first
    names = ("home-wrong-way", "home-unmeasured", "home-my-items", "home-my-initiatives", "home-silent")
    sizes = [len(region(html, name)) for name in names]
    _grow(app, client.user_id, 12)
    html = home(client)
    for name, size in zip(names, sizes, strict=True):  # only the counts' digits and the rows' titles differ
        assert abs(len(region(html, name)) - size) < 40, name


def test_a_leader_sees_the_ten_oldest_deliveries_not_yet_measured_and_how_many(app, persona):
    client = persona("cx_leader")
    with app.app_context():
        for n in range(12):
            delivered = factories.create_initiative(title=f"Delivered {n:02}", status="delivered",
                                                    delivered_on=TODAY - timedelta(days=100 - n))
            factories.add_impact(delivered, "nps")
    unmeasured = region(home(client), "home-unmeasured")
    shown = [f"Delivered {n:02}" for n in range(12) if f"Delivered {n:02}" in unmeasured]
    assert shown == [f"Delivered {n:02}" for n in range(10)]
    assert "The 10 delivered longest ago of 12." in text(unmeasured)
    assert 'href="/reports/roi#unmeasured"' in unmeasured
