"""Optimistic locking behind ETag / If-Match (SPEC §4): concurrent writers of one initiative
never lose an update. Every writer either wins (200) or is told its copy is stale (412).

The threaded tests run on PostgreSQL (`CXGOV_TEST_DATABASE_URL`); SQLite serialises writers
on one file lock, so there the sequential checks run only.
"""
import threading

import pytest
from sqlalchemy import select

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from cxgov.initiatives.models import Initiative
from tests import factories

WRITERS = 8


@pytest.fixture
def initiative_id(app):
    with app.app_context():
        return factories.create_initiative(title="Call-back service").id


def _row(app, initiative_id):
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        updates = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "initiative", AuditEntry.entity_id == initiative_id,
            AuditEntry.action == "update")).all()
        return initiative.description, initiative.version, updates


def _race(app, clients, initiative_id, if_match):
    """Every client PATCHes its own description at the same instant; returns {index: response}."""
    barrier = threading.Barrier(len(clients))
    results, errors = {}, []

    def write(index, client):
        try:
            headers = {"If-Match": if_match} if if_match else {}
            barrier.wait(timeout=30)
            results[index] = client.patch(f"/api/initiatives/{initiative_id}",
                                          json={"description": f"written by {index}"}, headers=headers)
        except Exception as error:  # surfaced below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == len(clients)
    return results


def test_every_patch_bumps_the_version_and_the_etag(login_as, initiative_id):
    leader = login_as("cx_leader")
    etags = [leader.get(f"/api/initiatives/{initiative_id}").headers["ETag"]]
    for n in range(3):
        response = leader.patch(f"/api/initiatives/{initiative_id}", json={"description": f"v{n}"},
                                headers={"If-Match": etags[-1]})
        assert response.status_code == 200
        etags.append(response.headers["ETag"])
    assert len(set(etags)) == 4
    assert etags[-1].endswith('-v4"')
    assert leader.get(f"/api/initiatives/{initiative_id}").headers["ETag"] == etags[-1]


def test_a_stale_if_match_is_412_and_writes_nothing(app, login_as, initiative_id):
    leader = login_as("cx_leader")
    stale = leader.get(f"/api/initiatives/{initiative_id}").headers["ETag"]
    assert leader.patch(f"/api/initiatives/{initiative_id}", json={"description": "first"},
                        headers={"If-Match": stale}).status_code == 200
    response = leader.patch(f"/api/initiatives/{initiative_id}", json={"description": "second"},
                            headers={"If-Match": stale})
    assert response.status_code == 412
    assert response.content_type == "application/problem+json"
    description, version, updates = _row(app, initiative_id)
    assert (description, version, len(updates)) == ("first", 2, 1)



def _require_postgresql(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them on a file lock)")


def test_concurrent_writers_with_if_match_one_wins_the_rest_get_412(app, login_as, initiative_id):
    _require_postgresql(app)
    leader = login_as("cx_leader")
    etag = leader.get(f"/api/initiatives/{initiative_id}").headers["ETag"]
    clients = [login_as("cx_leader") for _ in range(WRITERS)]
    results = _race(app, clients, initiative_id, etag)
    statuses = sorted(response.status_code for response in results.values())
    assert statuses == [200] + [412] * (WRITERS - 1), statuses
    winner = next(i for i, response in results.items() if response.status_code == 200)
    description, version, updates = _row(app, initiative_id)
    assert description == f"written by {winner}"
    assert version == 2
    assert len(updates) == 1
    assert results[winner].headers["ETag"].endswith('-v2"')


def test_concurrent_writers_without_if_match_never_lose_an_update(app, login_as, initiative_id):
    _require_postgresql(app)
    clients = [login_as("cx_leader") for _ in range(WRITERS)]
    results = _race(app, clients, initiative_id, None)
    statuses = [response.status_code for response in results.values()]
    assert set(statuses) <= {200, 412}, statuses
    successes = statuses.count(200)
    assert successes >= 1
    description, version, updates = _row(app, initiative_id)
    # Every success is one recorded update and one version step; a 412 wrote nothing.
    assert version == 1 + successes
    assert len(updates) == successes
    winners = {f"written by {i}" for i, response in results.items() if response.status_code == 200}
    assert description in winners
    assert {entry.changes["description"][1] for entry in updates} == winners
