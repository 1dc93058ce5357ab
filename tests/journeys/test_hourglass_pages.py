"""Pages of the hourglass (SPEC §10): a journey from the template, targets set, changed and removed
on the journey page, stages and touchpoints retired and reactivated, the stage KPIs on the
hourglass, the touchpoints' KPIs on request, and a stage compared across journeys."""
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement, Stage, Target, Touchpoint
from tests import factories
from tests.conftest import csrf_token, sign_in_session
from tests.journeys.conftest import count_rows


def _owned(app):
    """(owner client's user id, journey id, stage ids, touchpoint id): NPS 35 on the journey, CSAT
    80 on the first stage (typed purchase), a measured touchpoint and an unmeasured one."""
    with app.app_context():
        owner = factories.create_user(name="Mehmet Yilmaz")
        journey = factories.create_journey(owner=owner, name="Open an account")
        buy = factories.create_stage(journey, name="Purchase", stage_type="purchase", phase="pre_sale")
        use = factories.create_stage(journey, name="Adoption", stage_type="adoption", phase="post_sale")
        measured = factories.create_touchpoint(buy, name="Branch desk", channel="store")
        factories.create_touchpoint(use, name="Welcome mail", channel="email")
        factories.create_measurement(journey, period_start=date(2026, 3, 1), value=Decimal("35"))
        factories.create_measurement(journey, metric_code="csat", stage_id=buy.id, period_start=date(2026, 3, 1),
                                     value=Decimal("80"))
        factories.create_measurement(journey, metric_code="csat", stage_id=buy.id, touchpoint_id=measured.id,
                                     period_start=date(2026, 3, 1), value=Decimal("70"))
        db.session.commit()
        return owner.id, journey.id, [buy.id, use.id], measured.id


def test_a_journey_from_the_hourglass_template_of_kind_employee(app, page_as):
    leader = page_as("cx_leader")
    page = leader.get("/journeys/new").get_data(as_text=True)
    assert 'name="template" value="hourglass" >' in page and 'name="template" value="" checked' in page
    assert "Engagement, Education" in page  # the template's stages, named on the form
    form = {"csrf_token": csrf_token(leader, "/journeys/new"), "name": "Onboard a new hire",
            "owner_id": str(leader.user_id), "status": "active", "kind": "employee", "template": "hourglass",
            "form_token": "hourglass-form-token-1"}
    response = leader.post("/journeys/new", data=form)
    assert response.status_code == 302
    with app.app_context():
        journey = db.session.scalar(select(Journey))
        types = db.session.scalars(select(Stage.stage_type).where(Stage.journey_id == journey.id)
                                   .order_by(Stage.position)).all()
        assert journey.kind == "employee"
        assert types[:3] == ["engagement", "education", "research"] and len(types) == 10
    none = leader.post("/journeys/new", data={**form, "name": "Plain", "template": "", "kind": "customer",
                                              "form_token": "hourglass-form-token-2"})
    assert none.status_code == 302
    with app.app_context():
        plain = db.session.scalar(select(Journey).where(Journey.name == "Plain"))
        assert plain.kind == "customer"
        assert db.session.scalars(select(Stage).where(Stage.journey_id == plain.id)).all() == []


def test_the_owner_sets_changes_and_removes_a_target_on_the_journey_page(app):
    owner_id, journey_id, stages, _ = _owned(app)
    owner = sign_in_session(app, app.test_client(), owner_id)
    path = f"/journeys/{journey_id}"
    with app.app_context():
        nps, csat = factories.metric("nps").id, factories.metric("csat").id
    token = csrf_token(owner, path)
    bad = owner.post(f"{path}/targets", data={"csrf_token": token, "metric_id": str(nps), "value": "lots",
                                               "due_on": "2026-12-31", "form_token": "target-token-0"})
    assert bad.status_code == 422 and 'id="target-value-error"' in bad.get_data(as_text=True)
    assert count_rows(app, Target) == 0
    added = owner.post(f"{path}/targets", data={"csrf_token": token, "metric_id": str(csat), "stage_id": str(stages[0]),
                                                 "value": "85", "due_on": "2026-12-31", "owner_id": "",
                                                 "form_token": "target-token-1"})
    assert added.status_code == 302
    with app.app_context():
        target = db.session.scalar(select(Target))
        target_id = target.id
        assert (target.stage_id, target.value, target.owner_id) == (stages[0], Decimal("85"), owner_id)
    page = owner.get(path).get_data(as_text=True)
    # The hourglass shows the stage's targeted KPI and its status in words: CSAT 80 for 85 is near (5 ≤ 8.5).
    hourglass = page[page.index('class="hourglass"'):page.index("</ol>")]
    assert "Customer satisfaction: <strong>80</strong>" in hourglass and "target ≥&nbsp;85" in hourglass
    assert "stage-kpi target-near" in hourglass and ">Near<" in hourglass
    edit = owner.get(f"{path}/targets/{target_id}/edit")
    assert edit.status_code == 200 and 'value="85"' in edit.get_data(as_text=True)
    saved = owner.post(f"{path}/targets/{target_id}/edit", data={
        "csrf_token": token, "metric_id": str(csat), "stage_id": str(stages[0]), "value": "100",
        "due_on": "2027-03-31"})
    assert saved.status_code == 302
    page = owner.get(path).get_data(as_text=True)
    hourglass = page[page.index('class="hourglass"'):page.index("</ol>")]
    assert "Off track" in hourglass and "stage-kpi target-off" in hourglass
    ask = owner.post(f"{path}/targets/{target_id}/remove", data={"csrf_token": token})
    assert ask.status_code == 200 and "Remove the target" in ask.get_data(as_text=True)
    assert count_rows(app, Target) == 1
    owner.post(f"{path}/targets/{target_id}/remove", data={"csrf_token": token, "confirm": "yes"})
    assert count_rows(app, Target) == 0


def test_others_cannot_set_targets_from_the_page(app, page_as):
    _, journey_id, _, _ = _owned(app)
    member = page_as("member")
    assert "Set a target" not in member.get(f"/journeys/{journey_id}").get_data(as_text=True)
    response = member.post(f"/journeys/{journey_id}/targets", data={
        "csrf_token": csrf_token(member, f"/journeys/{journey_id}"), "metric_id": "1", "value": "1",
        "due_on": "2026-12-31"})
    assert response.status_code == 403 and count_rows(app, Target) == 0


def test_removing_a_measured_touchpoint_retires_it_and_says_so(app):
    owner_id, journey_id, stages, touchpoint = _owned(app)
    owner = sign_in_session(app, app.test_client(), owner_id)
    edit = f"/journeys/{journey_id}/edit"
    token = csrf_token(owner, edit)
    page = owner.get(edit).get_data(as_text=True)
    assert 'aria-label="Remove Branch desk"' not in page and 'aria-label="Retire Branch desk"' in page
    assert 'aria-label="Remove Welcome mail"' in page  # nothing measured: it can go
    ask = owner.post(f"/journeys/{journey_id}/touchpoints/{touchpoint}/remove", data={"csrf_token": token})
    text = ask.get_data(as_text=True)
    assert "Retire the touchpoint" in text and "1 measurement, which is never deleted" in text
    owner.post(f"/journeys/{journey_id}/touchpoints/{touchpoint}/remove", data={"csrf_token": token, "confirm": "yes"})
    with app.app_context():
        assert db.session.get(Touchpoint, touchpoint).status == "retired"
    assert count_rows(app, Measurement) == 3 and count_rows(app, Touchpoint) == 2
    assert 'aria-label="Reactivate Branch desk"' in owner.get(edit).get_data(as_text=True)
    # Gone from the hourglass and the KPI form, still in the touchpoints' KPIs with its history.
    detail = owner.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert "Branch desk" not in detail[detail.index('class="hourglass"'):detail.index("</ol>")]
    assert "Branch desk" not in owner.get(f"/journeys/{journey_id}/measurements/new").get_data(as_text=True)
    owner.post(f"/journeys/{journey_id}/touchpoints/{touchpoint}/status", data={"csrf_token": token,
                                                                                "status": "active"})
    with app.app_context():
        assert db.session.get(Touchpoint, touchpoint).status == "active"


def test_a_measured_stage_is_retired_and_reactivated_never_removed(app):
    owner_id, journey_id, stages, _ = _owned(app)
    owner = sign_in_session(app, app.test_client(), owner_id)
    token = csrf_token(owner, f"/journeys/{journey_id}/edit")
    page = owner.get(f"/journeys/{journey_id}/edit").get_data(as_text=True)
    assert 'aria-label="Remove Purchase"' not in page and 'aria-label="Remove Adoption"' in page
    owner.post(f"/journeys/{journey_id}/stages/{stages[0]}/status", data={"csrf_token": token, "status": "retired"})
    with app.app_context():
        assert db.session.get(Stage, stages[0]).status == "retired"
    assert 'aria-label="Reactivate Purchase"' in owner.get(f"/journeys/{journey_id}/edit").get_data(as_text=True)
    sure = owner.post(f"/journeys/{journey_id}/stages/{stages[0]}/remove", data={"csrf_token": token, "confirm": "yes"})
    assert sure.status_code == 302 and count_rows(app, Stage) == 2  # retired again, not removed
    bad = owner.post(f"/journeys/{journey_id}/stages/{stages[0]}/status", data={"csrf_token": token, "status": "gone"})
    assert bad.status_code == 400


def test_the_touchpoints_kpis_on_request(app):
    owner_id, journey_id, _, _ = _owned(app)
    owner = sign_in_session(app, app.test_client(), owner_id)
    plain = owner.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert "Show the KPIs by touchpoint" in plain and 'class="cards touchpoint-kpis"' not in plain
    shown = owner.get(f"/journeys/{journey_id}?touchpoints=1").get_data(as_text=True)
    table = shown[shown.index('class="cards touchpoint-kpis"'):]
    table = table[:table.index("</table>")]
    assert "Branch desk" in table and ">70<" in table and "Hide the KPIs by touchpoint" in shown


def test_the_stage_comparison_page_shows_what_the_api_answers(app, page_as, login_as):
    _, journey_id, stages, _ = _owned(app)
    with app.app_context():
        other = factories.create_journey(name="Buy insurance")
        stage = factories.create_stage(other, name="Buy", stage_type="purchase", phase="pre_sale")
        factories.create_measurement(other, metric_code="csat", stage_id=stage.id, period_start=date(2026, 2, 1),
                                     value=Decimal("91.5"))
        factories.create_target(other, metric_code="csat", stage_id=stage.id, value=Decimal("90"),
                                due_on=date(2026, 12, 31))
        db.session.commit()
    api = login_as("member").get("/api/reports/stages?stage_type=purchase&metric=csat").json
    response = page_as("member").get("/reports/stages?stage_type=purchase&metric=csat")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r'<td data-label="Journey"><a href="/journeys/(\d+)">([^<]+)</a>.*?'
                      r'<td class="num" data-label="Latest">([^<]*)</td>', html, re.S)
    assert [(int(i), name) for i, name, _ in rows] == [(e["journey"]["id"], e["journey"]["name"])
                                                       for e in api["journeys"]]
    assert [value.strip() for _, _, value in rows] == ["91.5", "80"]
    assert "Met" in html
    refused = page_as("member").get("/reports/stages?stage_type=purchase&metric=nope")
    assert refused.status_code == 422 and "No metric with code" in refused.get_data(as_text=True)
    assert 'href="/reports/stages"' in page_as("member").get("/journeys").get_data(as_text=True)
