"""SPEC §10: stage types on the hourglass, the template, and the journey's kind."""
import pytest

from cxgov.journeys import hourglass

TEN = ["engagement", "education", "research", "evaluation", "justification", "purchase",
       "adoption", "retention", "expansion", "advocacy"]


def test_the_hourglass_template_creates_the_ten_standard_stages_in_order(app, login_as, journey_owner):
    api = login_as("cx_leader")
    response = api.post("/api/journeys", json={"name": "Buy a policy", "owner_id": journey_owner.user_id,
                                               "template": "hourglass"})
    assert response.status_code == 201, response.json
    stages = response.json["stages"]
    assert [s["stage_type"] for s in stages] == TEN
    assert [s["name"] for s in stages] == [t.capitalize() for t in TEN]
    assert [s["phase"] for s in stages] == ["pre_sale"] * 6 + ["post_sale"] * 4
    assert [s["position"] for s in stages] == list(range(10))
    assert all(s["status"] == "active" for s in stages)
    assert response.json["kind"] == "customer"
    assert "template" not in response.json
    listed = api.get(f"/api/journeys/{response.json['id']}/stages?stage_type=purchase").json["items"]
    assert [s["name"] for s in listed] == ["Purchase"]


def test_a_journey_without_template_has_no_stages_and_an_unknown_template_is_refused(login_as, journey_owner):
    api = login_as("cx_leader")
    plain = api.post("/api/journeys", json={"name": "Plain", "owner_id": journey_owner.user_id})
    assert plain.status_code == 201 and plain.json["stages"] == []
    bad = api.post("/api/journeys", json={"name": "Bad", "owner_id": journey_owner.user_id, "template": "funnel"})
    assert bad.status_code == 422 and "template" in bad.json["errors"]
    assert api.get("/api/journeys?page_size=200").json["total"] == 2


def test_employee_journeys_and_the_kind_filter(login_as, journey_owner):
    api = login_as("cx_leader")
    created = api.post("/api/journeys", json={"name": "Onboard a hire", "owner_id": journey_owner.user_id,
                                              "kind": "employee"})
    assert created.status_code == 201 and created.json["kind"] == "employee"
    assert [j["name"] for j in api.get("/api/journeys?kind=employee").json["items"]] == ["Onboard a hire"]
    assert [j["name"] for j in api.get("/api/journeys?kind=customer").json["items"]] == ["Claims"]
    assert api.post("/api/journeys", json={"name": "X", "owner_id": journey_owner.user_id,
                                           "kind": "partner"}).status_code == 422


def test_a_template_applies_on_create_only(journey_owner):
    response = journey_owner.patch(f"/api/journeys/{journey_owner.journey_id}", json={"template": "hourglass"})
    assert response.status_code == 422 and "template" in response.json["errors"]


def test_a_standard_type_fixes_the_phase(journey_owner):
    path = f"/api/journeys/{journey_owner.journey_id}/stages"
    typed = journey_owner.post(path, json={"name": "Keep them", "stage_type": "retention"})
    assert typed.status_code == 201 and typed.json["phase"] == "post_sale"
    same = journey_owner.post(path, json={"name": "Buy", "stage_type": "purchase", "phase": "pre_sale"})
    assert same.status_code == 201 and same.json["phase"] == "pre_sale"
    conflict = journey_owner.post(path, json={"name": "Buy", "stage_type": "purchase", "phase": "post_sale"})
    assert conflict.status_code == 422 and "phase" in conflict.json["errors"]
    custom = journey_owner.post(path, json={"name": "Wait"})
    assert custom.status_code == 422 and "phase" in custom.json["errors"]
    assert journey_owner.get(path).json["total"] == 4  # the two of the fixture and the two accepted


def test_changing_a_stage_keeps_type_and_phase_consistent(journey_owner):
    stage_path = f"/api/journeys/{journey_owner.journey_id}/stages/{journey_owner.stage_ids[0]}"
    # The fixture's stage is custom and post-sale: typing it as a pre-sale stage moves its phase along.
    typed = journey_owner.patch(stage_path, json={"stage_type": "evaluation"})
    assert typed.status_code == 200 and (typed.json["stage_type"], typed.json["phase"]) == ("evaluation", "pre_sale")
    refused = journey_owner.patch(stage_path, json={"phase": "post_sale"})
    assert refused.status_code == 422 and "phase" in refused.json["errors"]
    assert journey_owner.get(stage_path).json["phase"] == "pre_sale"
    custom = journey_owner.patch(stage_path, json={"stage_type": "custom", "phase": "post_sale"})
    assert (custom.json["stage_type"], custom.json["phase"]) == ("custom", "post_sale")


@pytest.mark.parametrize("name, expected", [("Purchase", "purchase"), ("  ADVOCACY ", "advocacy"),
                                            ("Buy", None), ("", None), ("custom", None)])
def test_standard_type_reads_a_stage_name(name, expected):
    assert hourglass.standard_type(name) == expected


def test_every_standard_type_has_the_phase_of_its_place_on_the_hourglass():
    assert list(hourglass.PHASE_OF) == TEN
    assert hourglass.STAGE_TYPES[-1] == "custom"

