"""Schemathesis over the whole OpenAPI description (SPEC §4).

Every operation of `/api/openapi.json` gets a bounded number of generated requests, valid and
invalid, and every default check of schemathesis must pass: no server error, every status,
content type, header and body as documented, schema-invalid input refused, schema-valid
input accepted, authentication never ignored, deleted resources gone. The checks are the 14
defaults of schemathesis 4.32: not_a_server_error, status_code_conformance,
content_type_conformance, response_headers_conformance, response_schema_conformance,
negative_data_rejection, positive_data_acceptance (see STATE_RULES), missing_required_header,
unsupported_method, allow_header_conformance, use_after_free, ensure_resource_availability,
ignored_auth, object_level_authorization. Each operation runs on a fresh database holding one
row of every kind, with an admin's token.
"""
import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cxgov import create_app
from cxgov.auth.services import issue_token
from cxgov.extensions import db
from tests import factories

EXAMPLES = 10


def _description():
    """The document `/api/openapi.json` serves. It is built here without a database, because
    schemathesis parametrizes at collection time, before any test database exists."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
        return json.loads(app.json.dumps(api.spec.to_dict()))


DESCRIPTION = _description()
OPERATIONS = [(path, method, operation) for path, item in DESCRIPTION["paths"].items()
              for method, operation in item.items() if method in ("get", "post", "put", "patch", "delete")]
schema = schemathesis.openapi.from_dict(DESCRIPTION)


def seed_small_organisation():
    """One row of every kind, each with id 1, so generated path ids and references sometimes
    hit real rows (the built-in metrics are ids 1–5)."""
    department = factories.create_department()
    admin = factories.create_user(role="admin", department_id=department.id)
    committee = factories.create_committee(chair_id=admin.id)
    factories.add_committee_member(committee, admin, member_role="chair", department=department)
    meeting = factories.create_meeting(committee)
    factories.create_series(committee)
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


# A 422 that OpenAPI 3.0 cannot foresee for a request its schema calls valid: the request names
# a row that does not exist, breaks a rule relating it to stored rows or to another field, or
# uploads a file whose content is not a measurements CSV (the description can only say "a file").
# Each pattern below is one such rule; a schema-valid request refused for anything else is a
# failure (a constraint missing from the description).
STATE_RULES = tuple(re.compile(rule) for rule in (
    r"^No [a-z ]+ with id -?[0-9]+\.$",                    # a reference to a missing row
    r"^No metric with code ",                             # a metric named by a code not stored
    r"^[a-z_]+ must not be later than [a-z_]+\.$",        # due_after ≤ due_before
    r"^Must be on or (after|before) ",                    # a date after another, or not in the future
    r"^[A-Z][a-z]+ [0-9]+ is not an? [a-z ]+ of ",         # e.g. the stage is another journey's
    r"^Must fall within the assignment ",                 # an ambassador's assignment period
    r"^Expected a permutation of ",                       # the meeting's current agenda items
    r"^At most [0-9]+ days before `to`\.$",                # the report period (to defaults to today)
    r"^Wrong or missing current password\.$",             # the stored password
    r"^index [0-9]+: [0-9]+ is outside [0-9]+\.\.[0-9]+\.$",  # the score scale depends on the metric
    r"^Required for [a-z_]+( and [a-z_]+)?\.$",             # a decision's kind needs its initiative
    r"^required: give it in the query string or as a column$",  # an import's period: query or file
    r"^RRULE: ",  # a recurrence rule's meaning (bounded, at most 60 meetings) is beyond a pattern
))
FILE_CONTENT = re.compile(r"^(file|header|line [0-9]+)$")


def _refused_only_for_stored_state(case, response):
    if response.status_code != 422:
        return False
    upload = case.operation.path == "/api/measurements/import"
    errors = response.json().get("errors") or {}
    return bool(errors) and all(
        (upload and FILE_CONTENT.match(name))
        or all(isinstance(m, str) and any(rule.match(m) for rule in STATE_RULES)
               for m in (messages if isinstance(messages, list) else [messages]))
        for name, messages in errors.items())


def accepts_valid_data_unless_stored_state_forbids(ctx, response, case):
    """schemathesis' `positive_data_acceptance`, except for the 422s described above."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if _refused_only_for_stored_state(case, response):
            return None
        raise


def _strategy(operation):
    """Schema-valid and schema-invalid requests for one operation."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    try:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 — an operation with nothing to break has no negative cases
        pass
    return st.one_of(strategies)


# One pytest item per operation (not schemathesis' own parametrization, whose sub-tests
# pytest-xdist neither runs nor reports when other files share the run).
@pytest.mark.parametrize(("path", "method"), [(path, method.upper()) for path, method, _ in OPERATIONS],
                         ids=[f"{method.upper()} {path}" for path, method, _ in OPERATIONS])
def test_api_conforms_to_its_description(path, method, app, admin_headers):
    operation = schema[path][method]
    operation.schema.app = app

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
    @given(case=_strategy(operation))
    def check(case):
        case.call_and_validate(headers=admin_headers, app=app, excluded_checks=[positive_data_acceptance],
                               additional_checks=[accepts_valid_data_unless_stored_state_forbids])

    check()
