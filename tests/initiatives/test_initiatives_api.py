"""/api/initiatives: list, propose, read, change, delete — per role, with bad input refused."""
from datetime import date

import pytest
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.initiatives.models import Initiative, Transition
from tests import factories


@pytest.fixture
def world(app):
    with app.app_context():
        department = factories.create_department()
        journey = factories.create_journey()
        stage = factories.create_stage(journey)
        other_stage = factories.create_stage(factories.create_journey())
        return {"department_id": department.id, "journey_id": journey.id, "stage_id": stage.id,
                "other_stage_id": other_stage.id}


def proposal(world, **extra):
    body = {"title": "Self-service address change", "journey_id": world["journey_id"],
            "department_id": world["department_id"], "category": "digital"}
    body.update(extra)
    return body


def count(app, model=Initiative):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def make_initiative(app, owner_id=None, **kw):
    with app.app_context():
        owner = db.session.get(factories.User, owner_id) if owner_id else None
        return factories.create_initiative(owner=owner, **kw).id


# -- propose -------------------------------------------------------------------------------------

def test_anonymous_is_refused_everywhere(client, app):
    initiative_id = make_initiative(app)
    assert client.get("/api/initiatives").status_code == 401
    assert client.post("/api/initiatives", json={}).status_code == 401
    assert client.get(f"/api/initiatives/{initiative_id}").status_code == 401
    assert client.patch(f"/api/initiatives/{initiative_id}", json={"title": "x"}).status_code == 401
    assert client.delete(f"/api/initiatives/{initiative_id}").status_code == 401


@pytest.mark.parametrize("role", ["member", "cx_leader", "admin"])
def test_members_leaders_and_admins_propose(login_as, world, role):
    api = login_as(role)
    response = api.post("/api/initiatives", json=proposal(world, stage_id=world["stage_id"],
                                                          start_on="2026-01-01", target_on="2026-06-30"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "proposed"
    assert body["owner_id"] == api.user_id
    assert body["stage_id"] == world["stage_id"]
    assert body["transitions"] == []
    assert body["delivered_on"] is None
    assert response.headers["ETag"]


def test_executives_do_not_propose(login_as, world, app):
    response = login_as("executive").post("/api/initiatives", json=proposal(world))
    assert response.status_code == 403
    assert count(app) == 0


def test_a_member_proposes_only_as_owner(login_as, world, app):
    with app.app_context():
        someone = factories.create_user().id
    response = login_as("member").post("/api/initiatives", json=proposal(world, owner_id=someone))
    assert response.status_code == 403
    assert count(app) == 0


def test_a_cx_leader_proposes_for_someone_else(login_as, world, app):
    with app.app_context():
        someone = factories.create_user().id
    response = login_as("cx_leader").post("/api/initiatives", json=proposal(world, owner_id=someone))
    assert response.status_code == 201
    assert response.json["owner_id"] == someone


@pytest.mark.parametrize("change, field", [
    ({"status": "approved"}, "status"),
    ({"delivered_on": "2026-01-01"}, "delivered_on"),
    ({"category": "magic"}, "category"),
    ({"title": ""}, "title"),
    ({"journey_id": 99999}, "journey_id"),
    ({"department_id": 99999}, "department_id"),
    ({"sponsor_id": 99999}, "sponsor_id"),
    ({"stage_id": 99999}, "stage_id"),
    ({"start_on": "2026-05-01", "target_on": "2026-04-01"}, "target_on"),
    ({"nonsense": 1}, "nonsense"),
])
def test_bad_proposals_are_refused_naming_the_field(login_as, world, app, change, field):
    response = login_as("cx_leader").post("/api/initiatives", json=proposal(world, **change))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert count(app) == 0


def test_the_stage_must_belong_to_the_journey(login_as, world, app):
    response = login_as("member").post("/api/initiatives", json=proposal(world, stage_id=world["other_stage_id"]))
    assert response.status_code == 422
    assert "stage_id" in response.json["errors"]
    assert count(app) == 0


def test_missing_fields_and_malformed_json(login_as, world, app):
    api = login_as("member")
    response = api.post("/api/initiatives", json={"title": "x"})
    assert response.status_code == 422
    assert {"journey_id", "department_id", "category"} <= set(response.json["errors"])
    response = api.post("/api/initiatives", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert count(app) == 0


# -- list and read -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_everyone_signed_in_reads_and_lists(login_as, app, role):
    with app.app_context():
        sponsor = factories.create_user(role="executive")
        first = factories.create_initiative(status="approved", category="digital", sponsor_id=sponsor.id)
        factories.create_initiative(status="proposed", journey=first.journey)
        db.session.add(Transition(initiative_id=first.id, from_status="proposed", to_status="approved",
                                  effective_on=date(2026, 3, 1), note="Steering said yes"))
        db.session.commit()
        first_id, journey_id, sponsor_id = first.id, first.journey_id, sponsor.id
    api = login_as(role)
    listing = api.get("/api/initiatives").json
    assert listing["total"] == 2 and listing["page"] == 1
    assert [i["id"] for i in api.get("/api/initiatives?status=approved").json["items"]] == [first_id]
    assert api.get(f"/api/initiatives?journey_id={journey_id}").json["total"] == 2
    assert api.get(f"/api/initiatives?sponsor_id={sponsor_id}").json["total"] == 1
    assert api.get("/api/initiatives?category=digital").json["total"] == 1
    assert api.get("/api/initiatives?status=bogus").status_code == 422
    body = api.get(f"/api/initiatives/{first_id}").json
    assert body["transitions"][0]["to_status"] == "approved"
    assert body["transitions"][0]["on"] == "2026-03-01"
    assert body["transitions"][0]["note"] == "Steering said yes"
    assert api.get("/api/initiatives/99999").status_code == 404


def test_the_list_costs_a_constant_number_of_queries(login_as, app):
    from tests.queries import count_statements

    api = login_as("member")
    with app.app_context():
        for _ in range(2):
            factories.create_initiative()
    few = count_statements(app, lambda: api.get("/api/initiatives"))
    with app.app_context():
        for _ in range(10):
            factories.create_initiative()
    many = count_statements(app, lambda: api.get("/api/initiatives"))
    assert few == many


# -- change --------------------------------------------------------------------------------------

def test_the_owner_edits_own_with_if_match(login_as, app, world):
    owner = login_as("member")
    initiative_id = make_initiative(app, owner.user_id)
    response = owner.get(f"/api/initiatives/{initiative_id}")
    etag = response.headers["ETag"]
    response = owner.patch(f"/api/initiatives/{initiative_id}", json={"title": "Sharper title"},
                           headers={"If-Match": etag})
    assert response.status_code == 200
    assert response.json["title"] == "Sharper title"
    stale = owner.patch(f"/api/initiatives/{initiative_id}", json={"title": "Again"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    with app.app_context():
        assert db.session.get(Initiative, initiative_id).title == "Sharper title"


@pytest.mark.parametrize("role, status_code", [("member", 403), ("executive", 403), ("cx_leader", 200), ("admin", 200)])
def test_who_edits_someone_elses_initiative(login_as, app, role, status_code):
    initiative_id = make_initiative(app)
    response = login_as(role).patch(f"/api/initiatives/{initiative_id}", json={"title": "Changed"})
    assert response.status_code == status_code
    with app.app_context():
        assert (db.session.get(Initiative, initiative_id).title == "Changed") == (status_code == 200)


def test_the_owner_cannot_edit_once_closed_nor_change_status(login_as, app):
    owner = login_as("member")
    closed = make_initiative(app, owner.user_id, status="closed")
    assert owner.patch(f"/api/initiatives/{closed}", json={"title": "x"}).status_code == 403
    open_one = make_initiative(app, owner.user_id)
    response = owner.patch(f"/api/initiatives/{open_one}", json={"status": "approved"})
    assert response.status_code == 422 and "status" in response.json["errors"]
    with app.app_context():
        assert db.session.get(Initiative, open_one).status == "proposed"


def test_the_owner_cannot_hand_it_over_but_a_leader_can(login_as, app):
    owner = login_as("member")
    initiative_id = make_initiative(app, owner.user_id)
    with app.app_context():
        other = factories.create_user().id
    assert owner.patch(f"/api/initiatives/{initiative_id}", json={"owner_id": other}).status_code == 403
    response = login_as("cx_leader").patch(f"/api/initiatives/{initiative_id}", json={"owner_id": other})
    assert response.status_code == 200 and response.json["owner_id"] == other


def test_bad_changes_are_refused(login_as, app, world):
    initiative_id = make_initiative(app)
    api = login_as("admin")
    for change, field in [({"journey_id": None}, "journey_id"), ({"stage_id": world["other_stage_id"]}, "stage_id"),
                          ({"category": "x"}, "category"), ({"delivered_on": "2026-01-01"}, "delivered_on"),
                          ({"start_on": "2026-05-01", "target_on": "2026-01-01"}, "target_on")]:
        response = api.patch(f"/api/initiatives/{initiative_id}", json=change)
        assert response.status_code == 422, (change, response.json)
        assert field in response.json["errors"]
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        assert initiative.version == 1 and initiative.stage_id is None


# -- delete --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status_code", [("member", 403), ("executive", 403), ("cx_leader", 204), ("admin", 204)])
def test_who_deletes_a_proposal(login_as, app, role, status_code):
    api = login_as(role)
    initiative_id = make_initiative(app, api.user_id)
    assert api.delete(f"/api/initiatives/{initiative_id}").status_code == status_code
    assert count(app) == (0 if status_code == 204 else 1)


def test_only_proposals_are_deleted(login_as, app):
    initiative_id = make_initiative(app, status="approved")
    response = login_as("admin").delete(f"/api/initiatives/{initiative_id}")
    assert response.status_code == 409
    assert count(app) == 1
