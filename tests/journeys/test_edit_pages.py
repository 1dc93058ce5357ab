"""Pages: creating and editing a journey, its stages and touchpoints, a KPI value by hand, and the
upload's preview then confirmation — through the same services and rules as the API."""
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement, Stage, Touchpoint
from tests import factories
from tests.conftest import csrf_token
from tests.journeys.conftest import count_rows


@pytest.fixture
def owned(app):
    """(owner's user id, journey id, [stage ids]) — two stages, the first with a touchpoint."""
    with app.app_context():
        owner = factories.create_user(name="Olga Owner")
        journey = factories.create_journey(owner=owner, name="Motor claim")
        first = factories.create_stage(journey, name="Report", phase="post_sale")
        second = factories.create_stage(journey, name="Repair", phase="post_sale")
        factories.create_touchpoint(first, name="Hotline", channel="phone")
        db.session.commit()
        return owner.id, journey.id, [first.id, second.id]


def _as_owner(app, owned):
    from tests.conftest import sign_in_session

    client = sign_in_session(app, app.test_client(), owned[0])
    return client


def _stages(app, journey_id):
    with app.app_context():
        return [s.name for s in db.session.scalars(select(Stage).where(Stage.journey_id == journey_id)
                                                   .order_by(Stage.position))]


def test_a_cx_leader_creates_a_journey_once(app, page_as):
    leader = page_as("cx_leader")
    assert 'href="/journeys/new"' in leader.get("/journeys").get_data(as_text=True)
    with app.app_context():
        owner_id = factories.create_user(name="Nina Owner").id
        db.session.commit()
    form = {"csrf_token": csrf_token(leader, "/journeys/new"), "name": "Open an account", "owner_id": str(owner_id),
            "status": "active", "segment": "", "description": "", "form_token": "a-journey-form-token-1"}
    response = leader.post("/journeys/new", data=form)
    assert response.status_code == 302 and "/edit#stages" in response.headers["Location"]
    again = leader.post("/journeys/new", data=form)
    assert again.status_code == 302  # sent twice: created once
    with app.app_context():
        [journey] = db.session.scalars(select(Journey)).all()
        assert (journey.name, journey.owner_id, journey.status, journey.segment) == \
            ("Open an account", owner_id, "active", None)


def test_bad_journey_form_says_why_by_the_field_and_writes_nothing(app, page_as, owned):
    leader = page_as("cx_leader")
    response = leader.post("/journeys/new", data={"csrf_token": csrf_token(leader, "/journeys/new"),
                                                  "name": "Motor claim", "owner_id": "", "status": "active"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose the journey&#39;s owner." in html and 'id="journey-owner-error"' in html
    assert 'value="Motor claim"' in html  # kept as typed
    assert count_rows(app, Journey) == 1


def test_members_get_no_create_or_edit_controls_and_are_refused(app, page_as, owned):
    member = page_as("member")
    assert "/journeys/new" not in member.get("/journeys").get_data(as_text=True)
    assert "/edit" not in member.get(f"/journeys/{owned[1]}").get_data(as_text=True)
    assert member.get("/journeys/new").status_code == 403
    assert member.get(f"/journeys/{owned[1]}/edit").status_code == 403
    token = csrf_token(member)
    assert member.post(f"/journeys/{owned[1]}/stages", data={"csrf_token": token, "name": "X",
                                                           "phase": "pre_sale"}).status_code == 403
    assert _stages(app, owned[1]) == ["Report", "Repair"]


def test_the_owner_edits_stages_and_touchpoints(app, owned):
    owner_id, journey_id, (report, repair) = owned
    client = _as_owner(app, owned)
    page = client.get(f"/journeys/{journey_id}/edit").get_data(as_text=True)
    assert 'id="journey-owner"' not in page  # only CX leaders and admins hand a journey over
    token = csrf_token(client, f"/journeys/{journey_id}/edit")
    assert client.post(f"/journeys/{journey_id}/edit", data={
        "csrf_token": token, "name": "Motor claims", "status": "active", "segment": "", "description": "Cars"},
    ).status_code == 302
    assert client.post(f"/journeys/{journey_id}/stages", data={
        "csrf_token": token, "name": "Buy", "phase": "pre_sale"}).status_code == 302
    assert _stages(app, journey_id) == ["Report", "Repair", "Buy"]
    with app.app_context():
        buy = db.session.scalar(select(Stage.id).where(Stage.name == "Buy"))
    for _ in range(2):
        assert client.post(f"/journeys/{journey_id}/stages/{buy}/move",
                           data={"csrf_token": token, "direction": "up"}).status_code == 302
    assert _stages(app, journey_id) == ["Buy", "Report", "Repair"]
    assert client.post(f"/journeys/{journey_id}/stages/{repair}/edit", data={
        "csrf_token": token, "name": "Repair car", "phase": "post_sale"}).status_code == 302
    response = client.post(f"/journeys/{journey_id}/touchpoints", data={
        "csrf_token": token, "stage_id": str(buy), "name": "Web quote", "channel": ""})
    assert response.status_code == 422 and "Choose the channel." in response.get_data(as_text=True)
    assert client.post(f"/journeys/{journey_id}/touchpoints", data={
        "csrf_token": token, "stage_id": str(buy), "name": "Web quote", "channel": "web"}).status_code == 302
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        assert (journey.name, journey.segment, journey.description) == ("Motor claims", None, "Cars")
        tp = db.session.scalar(select(Touchpoint).where(Touchpoint.name == "Web quote"))
        assert (tp.stage_id, tp.channel, tp.digital) == (buy, "web", True)
        tp_id = tp.id
    # Removing asks first; confirmed, the touchpoint goes.
    asked = client.post(f"/journeys/{journey_id}/touchpoints/{tp_id}/remove", data={"csrf_token": token})
    assert asked.status_code == 200 and "Remove the touchpoint “Web quote”?" in asked.get_data(as_text=True)
    assert client.post(f"/journeys/{journey_id}/touchpoints/{tp_id}/remove",
                       data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert client.post(f"/journeys/{journey_id}/stages/{repair}/remove",
                       data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert _stages(app, journey_id) == ["Buy", "Report"]
    with app.app_context():
        assert db.session.get(Touchpoint, tp_id) is None


def test_a_stage_with_measurements_is_retired_not_removed_and_the_page_says_so(app, owned):
    owner_id, journey_id, (report, _) = owned
    with app.app_context():
        factories.create_measurement(db.session.get(Journey, journey_id), stage_id=report)
        db.session.commit()
    client = _as_owner(app, owned)
    token = csrf_token(client, f"/journeys/{journey_id}/edit")
    response = client.post(f"/journeys/{journey_id}/stages/{report}/remove",
                           data={"csrf_token": token, "confirm": "yes"}, follow_redirects=True)
    assert "Stage “Report” retired: it has measurements, which are kept." in response.get_data(as_text=True)
    assert _stages(app, journey_id) == ["Report", "Repair"]
    with app.app_context():
        assert db.session.get(Stage, report).status == "retired"


def test_the_owner_enters_a_kpi_value_by_hand(app, owned, page_as):
    owner_id, journey_id, (report, _) = owned
    client = _as_owner(app, owned)
    path = f"/journeys/{journey_id}/measurements/new"
    with app.app_context():
        nps = factories.metric("nps").id
    data = {"csrf_token": csrf_token(client, path), "metric_id": str(nps), "stage_id": str(report),
            "period_start": "2026-03-01", "period_end": "2026-03-31", "value": "abc", "sample_size": ""}
    bad = client.post(path, data=data)
    assert bad.status_code == 422 and "Enter the value as a number" in bad.get_data(as_text=True)
    assert client.post(path, data={**data, "value": "27.5"}).status_code == 302
    again = client.post(path, data={**data, "value": "30"})
    assert again.status_code == 422 and "exists already" in again.get_data(as_text=True)
    with app.app_context():
        [m] = db.session.scalars(select(Measurement)).all()
        assert (m.value, m.stage_id, m.source, m.period_start) == (Decimal("27.5"), report, "manual", date(2026, 3, 1))
    assert page_as("member").get(path).status_code == 403


def _upload(client, text, **fields):
    return client.post("/journeys/upload", data={"csrf_token": csrf_token(client, "/journeys/upload"),
                                                 "file": (io.BytesIO(text.encode()), "kpis.csv"), **fields},
                       content_type="multipart/form-data")


def test_the_upload_shows_what_will_change_and_imports_only_when_confirmed(app, owned):
    owner_id, journey_id, _ = owned
    with app.app_context():
        factories.create_measurement(db.session.get(Journey, journey_id), period_start=date(2026, 2, 1),
                                     period_end=date(2026, 2, 28), value=Decimal("15"))
        db.session.commit()
    client = _as_owner(app, owned)
    preview = _upload(client, "respondent,score\n1,10\n2,10\n3,0\n4,9\n", format="scores", metric="nps",
                      journey_id=str(journey_id), period_start="2026-02-01", period_end="2026-02-28")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check before importing" in html
    assert "Replaced: stored values the file changes" in html and "<strong>50</strong>" in html and ">15 " in html
    with app.app_context():
        assert db.session.scalar(select(Measurement.value)) == Decimal("15")  # nothing written yet
    token = html.split('name="upload" value="')[1].split('"')[0]
    done = client.post("/journeys/upload/confirm", data={"csrf_token": csrf_token(client), "upload": token})
    assert done.status_code == 200 and "Imported" in done.get_data(as_text=True)
    assert "<strong>1</strong> updated" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Measurement.value)) == Decimal("50")
    again = client.post("/journeys/upload/confirm", data={"csrf_token": csrf_token(client), "upload": token},
                        follow_redirects=True)
    assert "no longer waiting to be imported" in again.get_data(as_text=True)


def test_a_refused_upload_lists_its_lines_and_keeps_nothing(app, owned):
    client = _as_owner(app, owned)
    response = _upload(client, f"metric,journey_id,period_start,period_end,value\nnps,{owned[1]},2026-03-01,"
                               "2026-03-31,twenty\n")
    assert response.status_code == 422
    assert "value: &#39;twenty&#39; is not a number" in response.get_data(as_text=True)
    assert 'name="upload"' not in response.get_data(as_text=True)


def test_someone_elses_kept_upload_cannot_be_confirmed(app, owned, page_as):
    client = _as_owner(app, owned)
    html = _upload(client, f"metric,journey_id,period_start,period_end,value\nnps,{owned[1]},2026-03-01,"
                           "2026-03-31,20\n").get_data(as_text=True)
    token = html.split('name="upload" value="')[1].split('"')[0]
    leader = page_as("cx_leader")
    response = leader.post("/journeys/upload/confirm", data={"csrf_token": csrf_token(leader), "upload": token})
    assert response.status_code == 302
    assert count_rows(app, Measurement) == 0
