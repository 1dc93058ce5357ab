"""Deleting a journey, stage or touchpoint removes nothing unaudited (SPEC §10): what carries
measurements or impacts is refused with 409 (its data is never removed with it, by the service
or by the database), and every row a delete does remove or unlink has its audit entry."""
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Journey, Measurement, Stage, Touchpoint
from cxgov.steering.models import AgendaItem
from tests import factories
from tests.journeys.conftest import count_rows


def audited(app, action, entity):
    """{entity_id: changes} of the audit entries of that action on that entity."""
    with app.app_context():
        return {e.entity_id: e.changes for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity == entity))}


def measure(app, journey_id, **parts):
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        return factories.create_measurement(journey, period_start=date(2026, 1, 1), **parts).id


def test_a_journey_with_measurements_is_not_deleted(app, journey_owner):
    measure(app, journey_owner.journey_id)
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["measurements"] == 1 and "retire" in response.json["detail"]
    assert count_rows(app, Journey) == 1 and count_rows(app, Measurement) == 1 and count_rows(app, Stage) == 2


def test_a_journey_another_initiative_targets_is_not_deleted(app, journey_owner):
    """An impact of an initiative working on another journey, measured on this one."""
    with app.app_context():
        initiative = factories.create_initiative()  # on a journey of its own
        factories.add_impact(initiative, journey_id=journey_owner.journey_id)
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}")
    assert response.status_code == 409
    assert response.json["impacts"] == 1 and response.json["initiatives"] == 0
    assert count_rows(app, Journey) == 2 and count_rows(app, Impact) == 1


def test_a_journey_without_them_is_deleted_with_every_stage_and_touchpoint_audited(app, journey_owner):
    with app.app_context():
        meeting = factories.create_meeting()
        item = factories.add_agenda_item(meeting, kind="journey_review", journey_id=journey_owner.journey_id).id
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}")
    assert response.status_code == 204
    assert count_rows(app, Journey) == count_rows(app, Stage) == count_rows(app, Touchpoint) == 0
    assert set(audited(app, "delete", "journey")) == {journey_owner.journey_id}
    assert set(audited(app, "delete", "stage")) == set(journey_owner.stage_ids)
    assert set(audited(app, "delete", "touchpoint")) == {journey_owner.touchpoint_id}
    # The agenda item that reviewed it stays, unlinked, and says so in the trail.
    assert audited(app, "update", "agenda_item")[item] == {"journey_id": [journey_owner.journey_id, None]}
    with app.app_context():
        assert db.session.get(AgendaItem, item).journey_id is None


def test_a_stage_with_measurements_is_not_deleted(app, journey_owner):
    stage = journey_owner.stage_ids[0]
    measure(app, journey_owner.journey_id, stage_id=stage)
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}/stages/{stage}")
    assert response.status_code == 409 and response.json["measurements"] == 1
    assert count_rows(app, Stage) == 2 and count_rows(app, Measurement) == 1


def test_a_stage_whose_touchpoint_has_measurements_is_not_deleted(app, journey_owner):
    stage = journey_owner.stage_ids[0]
    measure(app, journey_owner.journey_id, stage_id=stage, touchpoint_id=journey_owner.touchpoint_id)
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}/stages/{stage}")
    assert response.status_code == 409 and response.json["measurements"] == 1
    assert count_rows(app, Touchpoint) == 1 and count_rows(app, Measurement) == 1


def test_a_stage_is_deleted_with_its_touchpoints_each_audited(app, journey_owner):
    stage = journey_owner.stage_ids[0]
    with app.app_context():
        initiative = factories.create_initiative(journey=db.session.get(Journey, journey_owner.journey_id),
                                                 stage_id=stage).id
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}/stages/{stage}")
    assert response.status_code == 204
    assert audited(app, "delete", "stage")[stage]["name"] == "Report claim"
    assert audited(app, "delete", "touchpoint")[journey_owner.touchpoint_id]["name"] == "Broker call"
    # The later stage moved up, and the initiative that named the stage no longer does: both audited.
    assert audited(app, "update", "stage")[journey_owner.stage_ids[1]] == {"position": [1, 0]}
    assert audited(app, "update", "initiative")[initiative] == {"stage_id": [stage, None]}
    with app.app_context():
        assert db.session.get(Initiative, initiative).stage_id is None


def test_a_touchpoint_with_measurements_is_not_deleted(app, journey_owner):
    measure(app, journey_owner.journey_id, stage_id=journey_owner.stage_ids[0],
            touchpoint_id=journey_owner.touchpoint_id)
    response = journey_owner.delete(
        f"/api/journeys/{journey_owner.journey_id}/touchpoints/{journey_owner.touchpoint_id}"
    )
    assert response.status_code == 409 and response.json["measurements"] == 1
    assert count_rows(app, Touchpoint) == 1 and count_rows(app, Measurement) == 1


def test_a_touchpoint_without_measurements_is_deleted_and_audited(app, journey_owner):
    response = journey_owner.delete(
        f"/api/journeys/{journey_owner.journey_id}/touchpoints/{journey_owner.touchpoint_id}"
    )
    assert response.status_code == 204
    assert audited(app, "delete", "touchpoint")[journey_owner.touchpoint_id]["channel"] == "phone"


@pytest.mark.parametrize("table, column", [(Journey, "journey"), (Stage, "stage"), (Touchpoint, "touchpoint")])
def test_the_database_keeps_measurements_when_what_they_measure_is_deleted(app, journey_owner, table, column):
    measure(app, journey_owner.journey_id, stage_id=journey_owner.stage_ids[0],
            touchpoint_id=journey_owner.touchpoint_id)
    ident = {"journey": journey_owner.journey_id, "stage": journey_owner.stage_ids[0],
             "touchpoint": journey_owner.touchpoint_id}[column]
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(delete(table).where(table.id == ident))
            db.session.flush()
        db.session.rollback()
    assert count_rows(app, Measurement) == 1


def test_the_database_keeps_impacts_when_their_journey_is_deleted(app):
    with app.app_context():
        initiative = factories.create_initiative()
        journey = factories.create_journey()
        factories.add_impact(initiative, journey_id=journey.id)
        with pytest.raises(IntegrityError):
            db.session.execute(delete(Journey).where(Journey.id == journey.id))
            db.session.flush()
        db.session.rollback()
    assert count_rows(app, Impact) == 1
