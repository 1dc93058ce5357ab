"""/api/journeys, stages and touchpoints: CRUD, ordering, derived `digital`, and who may write."""
import pytest

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Stage, Touchpoint
from tests import factories
from tests.journeys.conftest import READERS, WRITERS, count_rows


def expect(response, refused, ok):
    assert response.status_code == (refused or ok), response.get_data(as_text=True)


@pytest.mark.parametrize("caller", READERS)
def test_everyone_signed_in_reads_journeys(caller, as_caller, journey_owner):
    api = as_caller(caller)
    listing = api.get("/api/journeys")
    expect(listing, READERS[caller], 200)
    detail = api.get(f"/api/journeys/{journey_owner.journey_id}")
    expect(detail, READERS[caller], 200)
    if READERS[caller] is None:
        assert listing.json["total"] == 1
        body = detail.json
        assert [s["name"] for s in body["stages"]] == ["Report claim", "Settle"]
        assert body["stages"][0]["touchpoints"] == [{
            "id": journey_owner.touchpoint_id, "stage_id": journey_owner.stage_ids[0], "name": "Broker call",
            "channel": "phone", "digital": False, "department_id": None, "status": "active"}]
        assert detail.headers["ETag"]


def test_list_filters(app, login_as):
    with app.app_context():
        owner = factories.create_user()
        factories.create_journey(owner=owner, name="A", status="active", segment="SME")
        factories.create_journey(name="B", status="draft", segment="Retail")
        owner_id = owner.id
    api = login_as("member")
    assert [j["name"] for j in api.get(f"/api/journeys?owner_id={owner_id}").json["items"]] == ["A"]
    assert [j["name"] for j in api.get("/api/journeys?status=draft").json["items"]] == ["B"]
    assert [j["name"] for j in api.get("/api/journeys?segment=SME").json["items"]] == ["A"]
    assert api.get("/api/journeys?status=bogus").status_code == 422


@pytest.mark.parametrize("caller, status", [("anonymous", 401), ("member", 403), ("owner", 403),
                                            ("executive", 403), ("cx_leader", 201), ("admin", 201)])
def test_only_governance_creates_journeys(app, caller, status, as_caller, journey_owner):
    body = {"name": "Home insurance purchase", "owner_id": journey_owner.user_id, "segment": "Retail",
            "status": "active"}
    response = as_caller(caller).post("/api/journeys", json=body)
    assert response.status_code == status
    assert count_rows(app, Journey) == (2 if status == 201 else 1)
    if status == 201:
        assert response.json["stages"] == [] and response.json["owner_id"] == journey_owner.user_id


def test_create_journey_refuses_bad_input(app, login_as):
    api = login_as("cx_leader")
    assert api.post("/api/journeys", json={"name": "", "owner_id": 1}).json["errors"].keys() >= {"name"}
    response = api.post("/api/journeys", json={"name": "X", "owner_id": 999})
    assert response.status_code == 422 and "owner_id" in response.json["errors"]
    response = api.post("/api/journeys", json={"name": "X", "owner_id": api.user_id, "status": "open"})
    assert response.status_code == 422 and "status" in response.json["errors"]
    response = api.post("/api/journeys", json={"name": "X", "owner_id": api.user_id, "colour": "red"})
    assert response.status_code == 422 and "colour" in response.json["errors"]
    response = api.post("/api/journeys", data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert count_rows(app, Journey) == 0
    assert api.post("/api/journeys", json={"name": "X", "owner_id": api.user_id}).status_code == 201
    assert api.post("/api/journeys", json={"name": "X", "owner_id": api.user_id}).status_code == 409


@pytest.mark.parametrize("caller", WRITERS)
def test_journey_owner_and_governance_edit_others_get_403(app, caller, as_caller, journey_owner):
    api = as_caller(caller)
    response = api.patch(f"/api/journeys/{journey_owner.journey_id}", json={"description": "End to end"})
    expect(response, WRITERS[caller], 200)
    with app.app_context():
        description = db.session.get(Journey, journey_owner.journey_id).description
    assert description == (None if WRITERS[caller] else "End to end")


def test_owner_cannot_hand_over_the_journey(journey_owner, login_as):
    other = login_as("member")
    url = f"/api/journeys/{journey_owner.journey_id}"
    assert journey_owner.patch(url, json={"owner_id": other.user_id}).status_code == 403
    assert login_as("cx_leader").patch(url, json={"owner_id": other.user_id}).json["owner_id"] == other.user_id


def test_patch_honours_if_match(journey_owner):
    url = f"/api/journeys/{journey_owner.journey_id}"
    etag = journey_owner.get(url).headers["ETag"]
    assert journey_owner.patch(url, json={"segment": "SME"}, headers={"If-Match": etag}).status_code == 200
    assert journey_owner.patch(url, json={"segment": "Retail"}, headers={"If-Match": etag}).status_code == 412


@pytest.mark.parametrize("caller", WRITERS)
def test_delete_journey(app, caller, as_caller, journey_owner):
    response = as_caller(caller).delete(f"/api/journeys/{journey_owner.journey_id}")
    expect(response, WRITERS[caller], 204)
    assert count_rows(app, Journey) == (1 if WRITERS[caller] else 0)
    assert count_rows(app, Stage) == (2 if WRITERS[caller] else 0)


def test_delete_journey_refused_while_initiatives_refer_to_it(app, journey_owner):
    with app.app_context():
        factories.create_initiative(journey=db.session.get(Journey, journey_owner.journey_id))
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}")
    assert response.status_code == 409 and response.json["initiatives"] == 1
    assert count_rows(app, Journey) == 1


# -- stages ---------------------------------------------------------------------------------------------

def stage_names(api, journey_id):
    page = api.get(f"/api/journeys/{journey_id}/stages").json
    stages = page["items"]
    assert page["total"] == len(stages) and page["page"] == 1
    assert [s["position"] for s in stages] == list(range(len(stages)))
    return [s["name"] for s in stages]


@pytest.mark.parametrize("caller", WRITERS)
def test_stage_writes_by_role(app, caller, as_caller, journey_owner):
    api = as_caller(caller)
    base = f"/api/journeys/{journey_owner.journey_id}/stages"
    expect(api.post(base, json={"name": "Buy", "phase": "pre_sale"}), WRITERS[caller], 201)
    first = journey_owner.stage_ids[0]
    expect(api.patch(f"{base}/{first}", json={"name": "Report"}), WRITERS[caller], 200)
    expect(api.delete(f"{base}/{journey_owner.stage_ids[1]}"), WRITERS[caller], 204)
    assert count_rows(app, Stage) == (2 if WRITERS[caller] else 2)  # +1 −1 when allowed
    expected = ["Report claim", "Settle"] if WRITERS[caller] else ["Report", "Buy"]
    assert stage_names(journey_owner, journey_owner.journey_id) == expected


def test_stage_positions_stay_ordered(journey_owner):
    base = f"/api/journeys/{journey_owner.journey_id}/stages"
    journey_owner.post(base, json={"name": "Buy", "phase": "pre_sale", "position": 0})
    journey_owner.post(base, json={"name": "Compare", "phase": "pre_sale", "position": 0})
    journey_owner.post(base, json={"name": "Renew", "phase": "post_sale"})
    assert stage_names(journey_owner, journey_owner.journey_id) == ["Compare", "Buy", "Report claim", "Settle", "Renew"]
    journey_owner.patch(f"{base}/{journey_owner.stage_ids[1]}", json={"position": 0})
    assert stage_names(journey_owner, journey_owner.journey_id) == ["Settle", "Compare", "Buy", "Report claim", "Renew"]
    journey_owner.patch(f"{base}/{journey_owner.stage_ids[1]}", json={"position": 99})
    assert stage_names(journey_owner, journey_owner.journey_id) == ["Compare", "Buy", "Report claim", "Renew", "Settle"]
    journey_owner.delete(f"{base}/{journey_owner.stage_ids[0]}")
    assert stage_names(journey_owner, journey_owner.journey_id) == ["Compare", "Buy", "Renew", "Settle"]


def test_stages_answer_in_pages(journey_owner):
    base = f"/api/journeys/{journey_owner.journey_id}/stages"
    first, second = (journey_owner.get(f"{base}?page_size=1&page={page}").json for page in (1, 2))
    assert first["total"] == second["total"] == 2 and first["page_size"] == 1
    assert [s["name"] for s in first["items"] + second["items"]] == ["Report claim", "Settle"]
    assert [t["name"] for t in first["items"][0]["touchpoints"]] == ["Broker call"]
    assert journey_owner.get(f"{base}?page=0").status_code == 422
    assert journey_owner.get("/api/journeys/999/stages").status_code == 404


def test_stage_bad_input(app, journey_owner):
    base = f"/api/journeys/{journey_owner.journey_id}/stages"
    for body, field in [({"name": "X", "phase": "during"}, "phase"), ({"phase": "pre_sale"}, "name"),
                        ({"name": "X", "phase": "pre_sale", "position": -1}, "position"),
                        ({"name": "X", "phase": "pre_sale", "id": 3}, "id")]:
        response = journey_owner.post(base, json=body)
        assert response.status_code == 422 and field in response.json["errors"], body
    assert count_rows(app, Stage) == 2
    assert journey_owner.post("/api/journeys/999/stages", json={"name": "X", "phase": "pre_sale"}).status_code == 404


def test_stage_of_another_journey_is_404(app, journey_owner):
    with app.app_context():
        other = factories.create_stage()
        other_id = other.id
    url = f"/api/journeys/{journey_owner.journey_id}/stages/{other_id}"
    assert journey_owner.patch(url, json={"name": "Mine"}).status_code == 404


# -- touchpoints ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", WRITERS)
def test_touchpoint_writes_by_role(app, caller, as_caller, journey_owner):
    api = as_caller(caller)
    base = f"/api/journeys/{journey_owner.journey_id}/touchpoints"
    created = api.post(base, json={"stage_id": journey_owner.stage_ids[1], "name": "Claim app", "channel": "app"})
    expect(created, WRITERS[caller], 201)
    if WRITERS[caller] is None:
        assert created.json["digital"] is True
    tp = f"{base}/{journey_owner.touchpoint_id}"
    expect(api.patch(tp, json={"channel": "chat"}), WRITERS[caller], 200)
    expect(api.delete(tp), WRITERS[caller], 204)
    assert count_rows(app, Touchpoint) == 1


@pytest.mark.parametrize("caller", READERS)
def test_touchpoint_list_by_role(caller, as_caller, journey_owner):
    response = as_caller(caller).get(f"/api/journeys/{journey_owner.journey_id}/touchpoints")
    expect(response, READERS[caller], 200)
    if READERS[caller] is None:
        assert [(t["name"], t["stage_id"], t["digital"]) for t in response.json["items"]] == [
            ("Broker call", journey_owner.stage_ids[0], False)]


def test_digital_follows_the_channel_and_is_read_only(app, journey_owner):
    base = f"/api/journeys/{journey_owner.journey_id}/touchpoints"
    tp = f"{base}/{journey_owner.touchpoint_id}"
    assert journey_owner.get(tp).json["digital"] is False
    assert journey_owner.patch(tp, json={"channel": "web"}).json["digital"] is True
    response = journey_owner.patch(tp, json={"digital": False})
    assert response.status_code == 422 and "digital" in response.json["errors"]
    response = journey_owner.post(base, json={"stage_id": journey_owner.stage_ids[0], "name": "Letter",
                                              "channel": "mail", "digital": True})
    assert response.status_code == 422 and "digital" in response.json["errors"]
    assert count_rows(app, Touchpoint) == 1


def test_touchpoint_stage_must_belong_to_the_journey(app, journey_owner):
    with app.app_context():
        foreign_stage = factories.create_stage().id
        department = factories.create_department().id
    base = f"/api/journeys/{journey_owner.journey_id}/touchpoints"
    for body, field in [
        ({"stage_id": foreign_stage, "name": "X", "channel": "web"}, "stage_id"),
        ({"stage_id": 9999, "name": "X", "channel": "web"}, "stage_id"),
        ({"stage_id": journey_owner.stage_ids[0], "name": "X", "channel": "fax"}, "channel"),
        (
            {"stage_id": journey_owner.stage_ids[0], "name": "X", "channel": "web", "department_id": 999},
            "department_id",
        ),
    ]:
        response = journey_owner.post(base, json=body)
        assert response.status_code == 422 and field in response.json["errors"], body
    tp = f"{base}/{journey_owner.touchpoint_id}"
    assert journey_owner.patch(tp, json={"stage_id": foreign_stage}).status_code == 422
    assert count_rows(app, Touchpoint) == 1
    moved = journey_owner.patch(tp, json={"stage_id": journey_owner.stage_ids[1], "department_id": department})
    assert moved.json["stage_id"] == journey_owner.stage_ids[1] and moved.json["department_id"] == department


def test_touchpoints_of_another_journey_are_404(app, journey_owner):
    with app.app_context():
        foreign = factories.create_touchpoint().id
    assert journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}/touchpoints/{foreign}").status_code == 404
