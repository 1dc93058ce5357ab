"""Schemathesis over the whole OpenAPI description (SPEC §4).

Every operation of `/api/openapi.json` gets a bounded number of generated requests, valid and
invalid, and every default check of schemathesis must pass: no server error, every status,
content type, header and body as documented, schema-invalid input refused, schema-valid
input accepted, authentication never ignored, deleted resources gone.
"""
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from cxgov import create_app
from cxgov.auth.services import issue_token
from cxgov.extensions import db
from tests import factories

EXAMPLES = 15


def _description():
    """The document `/api/openapi.json` serves. It is built here without a database, because
    schemathesis parametrizes at collection time, before any test database exists."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
        return json.loads(app.json.dumps(api.spec.to_dict()))


schema = schemathesis.openapi.from_dict(_description())


def seed_small_organisation():
    """One row of every kind, each with id 1, so generated path ids and references sometimes
    hit real rows (the built-in metrics are ids 1–5)."""
    department = factories.create_department()
    admin = factories.create_user(role="admin", department_id=department.id)
    committee = factories.create_committee(chair_id=admin.id)
    factories.add_committee_member(committee, admin, member_role="chair", department=department)
    meeting = factories.create_meeting(committee)
    journey = factories.create_journey(owner=admin)
    stage = factories.create_stage(journey)
    factories.create_touchpoint(stage, department_id=department.id)
    initiative = factories.create_initiative(journey=journey, owner=admin, department=department)
    factories.add_agenda_item(meeting, initiative_id=initiative.id)
    factories.add_attendance(meeting, admin)
    factories.create_decision(meeting=meeting, initiative=initiative, kind="approve_initiative")
    factories.create_action_item(owner=admin, meeting_id=meeting.id)
    ambassador = factories.create_ambassador(user=admin, department=department)
    factories.create_ambassador_action(ambassador=ambassador)
    factories.create_measurement(journey=journey)
    factories.add_cash_flow(initiative)
    factories.add_impact(initiative)
    factories.create_notification(user=admin)
    return admin


@pytest.fixture
def admin_headers(app):
    with app.app_context():
        admin = seed_small_organisation()
        token, _ = issue_token(admin)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
def test_api_conforms_to_its_description(case, app, admin_headers):
    case.operation.schema.app = app
    case.call_and_validate(headers=admin_headers, app=app)
