"""The data and requests behind the authorization matrix (tests/test_authorization_matrix.py):
one dataset holding a user for each role, and for every route the URL parameters and a valid
minimal body, so that an allowed role gets a 2xx and a forbidden one a 403."""
import io
import re
import shutil
from datetime import datetime, timezone

from cxgov.auth.services import issue_token
from cxgov.db import today
from cxgov.extensions import db
from cxgov.initiatives.gate import freeze_baseline
from cxgov.steering.models import CommitteeSection
from tests import factories
from tests.conftest import CSRF_INPUT, pg_snapshot, restore_postgresql, sign_in_session

HELD = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
ROLES = ("anonymous", "member", "ambassador", "journey_owner", "executive", "cx_leader", "admin")


def build_world():
    """Inside an app context: the dataset; returns the ids the requests refer to."""
    f = factories
    ops = f.create_department(name="Operations", code="OPS")
    sales = f.create_department(name="Sales", code="SAL")
    users = {
        "admin": f.create_user("admin", email="admin@example.com"),
        "cx_leader": f.create_user("cx_leader", email="leader@example.com"),
        "executive": f.create_user("executive", email="ceo@example.com"),
        "member": f.create_user("member", email="member@example.com", department_id=ops.id),
        "ambassador": f.create_user("member", email="ambassador@example.com", department_id=sales.id),
        "journey_owner": f.create_user("member", email="owner@example.com", department_id=ops.id),
    }
    other = f.create_user("member", email="other@example.com", department_id=sales.id)
    journey = f.create_journey(owner=users["journey_owner"], name="Claim a refund")
    stage = f.create_stage(journey=journey)
    touchpoint = f.create_touchpoint(stage=stage, department_id=ops.id)
    measurement = f.create_measurement(journey=journey)
    target = f.create_target(journey=journey)
    metric = f.create_metric(code="call_wait", name="Call wait")
    committee = f.create_committee(chair_id=users["cx_leader"].id)
    committee_member = f.add_committee_member(committee, other)
    f.add_committee_member(committee, users["member"])  # answers their own invitation
    series = f.create_series(committee)
    section = CommitteeSection(committee_id=committee.id, position=0, title="Minutes of the last meeting", kind="fixed")
    db.session.add_all([section, CommitteeSection(committee_id=committee.id, position=1, title="Reviews due",
                                                  kind="reviews_due")])
    meeting = f.create_meeting(committee=committee, starts_at=HELD)  # decisions are recorded once it has begun
    agenda_item = f.add_agenda_item(meeting)
    f.add_agenda_item(meeting)
    f.add_attendance(meeting, other)
    decision = f.create_decision(meeting=meeting)
    action_item = f.create_action_item(owner=users["member"], meeting_id=meeting.id)
    ambassador = f.create_ambassador(user=users["ambassador"], department=sales)
    ambassador_action = f.create_ambassador_action(ambassador=ambassador, kind="improvement_idea")
    initiative = f.create_initiative(journey=journey, owner=users["member"], department=ops)
    cash_flow = f.add_cash_flow(initiative)
    impact = f.add_impact(initiative)
    freeze_baseline(initiative, today())  # as approved: its baseline is readable
    review = f.add_review(initiative)
    notification = f.create_notification(user=users["member"])
    import_job = f.create_import_job(created_by=users["journey_owner"])
    tokens = {}
    for role, user in users.items():
        tokens[role], _ = issue_token(user)
    db.session.commit()
    return {
        "users": {role: user.id for role, user in users.items()}, "tokens": tokens,
        "department_id": ops.id, "sales_id": sales.id, "other_user_id": other.id,
        "journey_id": journey.id, "stage_id": stage.id, "touchpoint_id": touchpoint.id,
        "measurement_id": measurement.id, "metric_id": metric.id, "nps_id": f.metric("nps").id,
        "committee_id": committee.id, "member_id": committee_member.id, "meeting_id": meeting.id,
        "agenda_item_id": agenda_item.id, "decision_id": decision.id, "action_item_id": action_item.id,
        "ambassador_id": ambassador.id, "action_id": ambassador_action.id, "initiative_id": initiative.id,
        "cash_flow_id": cash_flow.id, "impact_id": impact.id, "notification_id": notification.id,
        "import_job_id": import_job.id, "review_id": review.id, "target_id": target.id, "series_id": series.id,
        "section_id": section.id, "meeting_version": meeting.version, "agenda_item_version": agenda_item.version,
        "series_version": series.version,
    }


def url_values(rule, w):
    """The URL parameters of `rule` filled from the dataset."""
    values = {
        "department_id": w["department_id"], "user_id": w["users"]["member"], "committee_id": w["committee_id"],
        "member_id": w["member_id"], "meeting_id": w["meeting_id"], "journey_id": w["journey_id"],
        "stage_id": w["stage_id"], "touchpoint_id": w["touchpoint_id"], "measurement_id": w["measurement_id"],
        "metric_id": w["metric_id"], "initiative_id": w["initiative_id"], "cash_flow_id": w["cash_flow_id"],
        "impact_id": w["impact_id"], "ambassador_id": w["ambassador_id"], "action_id": w["action_id"],
        "notification_id": w["notification_id"], "decision_id": w["decision_id"], "filename": "cxgov.css",
        "job_id": w["import_job_id"], "review_id": w["review_id"], "target_id": w["target_id"],
        "series_id": w["series_id"], "section_id": w["section_id"],
        "token": "a-link-used-long-ago",
        "item_id": w["action_item_id"] if "action-items" in rule and "agenda" not in rule else w["agenda_item_id"],
    }
    if "/attendance/" in rule:
        values["user_id"] = w["other_user_id"]
    if "/charts/" in rule:  # a KPI chart of the journey: of the metric measured on it
        values["metric_id"] = w["nps_id"]
    return values


def json_body(rule, method, w):
    """A valid minimal JSON body for an API write."""
    key = (rule, method)
    i = w["initiative_id"]
    bodies = {
        ("/api/auth/tokens", "POST"): {"email": "member@example.com", "password": factories.PASSWORD},
        ("/api/departments", "POST"): {"name": "Finance", "code": "FIN"},
        ("/api/departments/<int:department_id>", "PATCH"): {"name": "Operations and service"},
        ("/api/users", "POST"): {"email": "new@example.com", "name": "New", "password": "a long enough password"},
        ("/api/users/<int:user_id>", "PATCH"): {"name": "Renamed"},
        ("/api/users/me", "PATCH"): {"name": "Me, renamed"},
        ("/api/committees", "POST"): {"name": "Digital CX board"},
        ("/api/committees/<int:committee_id>", "PATCH"): {"charter": "A new charter."},
        ("/api/committees/<int:committee_id>/members", "POST"): {"user_id": w["users"]["executive"]},
        ("/api/committees/<int:committee_id>/sections", "PUT"): {"sections": [
            {"title": "Reviews due", "kind": "reviews_due"}, {"title": "AOB", "kind": "fixed"}]},
        ("/api/committees/<int:committee_id>/members/<int:member_id>", "PATCH"): {"member_role": "secretary"},
        ("/api/meetings", "POST"): {"committee_id": w["committee_id"], "title": "Q3 review",
                                    "starts_at": "2026-12-10T09:00:00+00:00"},
        ("/api/meetings/<int:meeting_id>", "PATCH"): {"location": "Room 2"},
        ("/api/meetings/<int:meeting_id>/minutes/corrections", "POST"): {"text": "A correction."},
        ("/api/meetings/<int:meeting_id>/agenda-items", "POST"): {"title": "Welcome"},
        ("/api/meetings/<int:meeting_id>/agenda-items/order", "PUT"): {"ids": w.get("agenda_ids", [])},
        ("/api/meetings/<int:meeting_id>/agenda-items/<int:item_id>", "PATCH"): {"title": "Renamed item"},
        ("/api/meetings/<int:meeting_id>/attendance", "POST"):
            {"user_id": w["users"]["executive"], "status": "invited"},
        ("/api/meetings/<int:meeting_id>/attendance/<int:user_id>", "PUT"): {"status": "accepted"},
        ("/api/meetings/<int:meeting_id>/attendance/me", "PUT"): {"status": "accepted"},
        ("/api/committees/<int:committee_id>/series", "POST"): {
            "title": "Monthly steering", "rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=2",
            "first_starts_at": "2027-02-02T09:00:00+00:00"},
        ("/api/series/<int:series_id>", "PATCH"): {"location": "Room 9"},
        ("/api/meetings/<int:meeting_id>/decisions", "POST"): {"text": "Go ahead."},
        ("/api/meetings/<int:meeting_id>/decisions/<int:decision_id>", "PATCH"): {"text": "Go ahead, carefully."},
        ("/api/action-items", "POST"): {"title": "Call back", "owner_id": w["users"]["member"], "due_on": "2026-12-20"},
        ("/api/action-items/<int:item_id>", "PATCH"): {"status": "done"},
        ("/api/initiatives/<int:initiative_id>/transitions", "POST"): {"to": "cancelled"},
        ("/api/initiatives/<int:initiative_id>/baseline", "POST"): {"decision_id": w["decision_id"]},
        ("/api/reviews/<int:review_id>/verdict", "POST"): {"verdict": "achieved"},
        ("/api/ambassadors", "POST"): {"user_id": w["other_user_id"], "department_id": w["department_id"]},
        ("/api/ambassadors/<int:ambassador_id>", "PATCH"): {"ended_on": today().isoformat()},
        ("/api/ambassador-actions", "POST"): {"ambassador_id": w["ambassador_id"], "kind": "training",
                                              "title": "Trained the front desk", "occurred_on": "2026-11-20"},
        ("/api/ambassador-actions/<int:action_id>", "PATCH"): {"title": "Trained the whole front desk"},
        ("/api/ambassador-actions/<int:action_id>/initiative", "POST"): {"journey_id": w["journey_id"]},
        ("/api/journeys", "POST"): {"name": "Open an account", "owner_id": w["users"]["journey_owner"]},
        ("/api/journeys/<int:journey_id>", "PATCH"): {"segment": "Business customers"},
        ("/api/journeys/<int:journey_id>/stages", "POST"): {"name": "Aware", "phase": "pre_sale"},
        ("/api/journeys/<int:journey_id>/stages/<int:stage_id>", "PATCH"): {"name": "Discover"},
        ("/api/journeys/<int:journey_id>/touchpoints", "POST"): {"stage_id": w["stage_id"], "name": "Hotline",
                                                                 "channel": "phone"},
        ("/api/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>", "PATCH"): {"name": "Web form"},
        ("/api/journeys/<int:journey_id>/targets", "POST"): {"metric_id": w["nps_id"], "value": 40,
                                                             "due_on": "2026-12-31"},
        ("/api/journeys/<int:journey_id>/targets/<int:target_id>", "PATCH"): {"value": 45},
        ("/api/metrics", "POST"):
            {"code": "first_contact", "name": "First contact resolution", "category": "operational"},
        ("/api/metrics/<int:metric_id>", "PATCH"): {"name": "Waiting time on the phone"},
        ("/api/measurements", "POST"): {"metric_id": w["nps_id"], "journey_id": w["journey_id"],
                                        "period_start": "2026-03-01", "period_end": "2026-03-31", "value": 31},
        ("/api/measurements/from-scores", "POST"): {"metric": "nps", "journey_id": w["journey_id"],
                                                    "period_start": "2026-04-01", "period_end": "2026-04-30",
                                                    "scores": [10, 9, 3]},
        ("/api/measurements/<int:measurement_id>", "PATCH"): {"value": 25},
        ("/api/initiatives/<int:initiative_id>/impacts", "POST"): {"metric_id": w["metric_id"], "baseline_value": 5,
                                                                   "target_value": 3, "value_per_unit": 100},
        ("/api/initiatives/<int:initiative_id>/impacts/<int:impact_id>", "PATCH"): {"target_value": 35},
        ("/api/initiatives", "POST"): {"title": "Call-back service", "journey_id": w["journey_id"],
                                       "department_id": w["department_id"], "category": "process"},
        ("/api/initiatives/<int:initiative_id>", "PATCH"): {"description": f"Initiative {i}, sharpened."},
        ("/api/initiatives/<int:initiative_id>/cash-flows", "POST"): {"kind": "cost", "category": "build",
                                                                      "year": 0, "amount": "5000"},
        ("/api/initiatives/<int:initiative_id>/cash-flows/<int:cash_flow_id>", "PATCH"): {"amount": "1200"},
    }
    return bodies.get(key)


def upload(w):
    csv = ("metric,journey_id,period_start,period_end,value\n"
           f"nps,{w['journey_id']},2026-05-01,2026-05-31,28\n")
    return io.BytesIO(csv.encode())


def form_data(rule, w):
    """Form fields of a page POST (the CSRF token is added by the caller)."""
    forms = {
        "/account/digest": {"digest_preference": "daily"},
        "/account/language": {"language": "pt_PT", "timezone": "Europe/Lisbon"},
        "/account/password": {"current_password": factories.PASSWORD, "password": "a long enough password",
                              "password_again": "a long enough password"},
        "/admin/departments": {"name": "Finance", "code": "FIN"},
        "/admin/departments/<int:department_id>": {"name": "Operations and service", "code": "OPS"},
        "/admin/departments/<int:department_id>/delete": {"confirm": "yes"},
        "/admin/users/new": {"name": "New", "email": "new@example.com", "role": "member", "access": "link"},
        "/admin/users/<int:user_id>": {"name": "Renamed", "role": "member", "department_id": ""},
        "/admin/users/<int:user_id>/deactivate": {"confirm": "yes"},
        "/admin/users/<int:user_id>/reactivate": {"confirm": "yes"},
        "/admin/users/<int:user_id>/password-link": {},
        "/password/set/<token>": {"password": "a long enough password", "password_again": "a long enough password"},
        "/action-items/<int:item_id>/status": {"status": "done"},
        "/ambassadors/<int:ambassador_id>/end": {"ended_on": today().isoformat(), "confirm": "yes"},
        "/ambassadors/<int:ambassador_id>/recognition": {"title": "Thanked at the all-hands"},
        "/ambassadors/actions/<int:action_id>/edit": {"kind": "training", "title": "Trained again",
                                                     "occurred_on": "2026-11-21", "people_reached": "3", "hours": "1"},
        "/ambassadors/actions/<int:action_id>/propose": {"journey_id": str(w["journey_id"]), "category": "process"},
        "/ambassadors/assign": {"user_id": str(w["other_user_id"]), "department_id": str(w["department_id"])},
        "/ambassadors/log": {"kind": "training", "title": "Trained the desk", "occurred_on": "2026-11-21",
                             "people_reached": "3", "hours": "1"},
        "/committees": {"name": "Digital CX board"},
        "/committees/<int:committee_id>/members": {"user_id": str(w["users"]["executive"]), "member_role": "member"},
        "/committees/<int:committee_id>/members/<int:member_id>/remove": {"confirm": "yes"},
        "/committees/<int:committee_id>/quorum": {"quorum": "2"},
        "/series/<int:series_id>/rule": {"rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=2",
                                         "version": str(w["series_version"])},
        "/committees/<int:committee_id>/sections": {"title": "Any other business", "kind": "fixed"},
        "/committees/<int:committee_id>/sections/<int:section_id>/move": {"direction": "down"},
        "/committees/<int:committee_id>/sections/<int:section_id>/rename": {"title": "Minutes"},
        "/committees/<int:committee_id>/sections/<int:section_id>/remove": {},
        "/initiatives/<int:initiative_id>/reviews/<int:review_id>/verdict": {"verdict": "achieved"},
        "/initiatives/<int:initiative_id>/cash-flows": {"kind": "cost", "category": "build", "year": "0",
                                                       "amount": "5000", "basis": "planned", "risk_adjustment": "0"},
        "/initiatives/<int:initiative_id>/cash-flows/<int:cash_flow_id>/delete": {"confirm": "yes"},
        "/initiatives/new": {"title": "Call-back service", "journey_id": str(w["journey_id"]),
                             "department_id": str(w["department_id"]), "category": "process"},
        "/initiatives/<int:initiative_id>/edit": {"title": "Sharpened", "journey_id": str(w["journey_id"]),
                                                 "department_id": str(w["department_id"]), "category": "process",
                                                 "description": "Sharpened."},
        "/initiatives/<int:initiative_id>/transitions": {"to": "cancelled", "confirm": "yes"},
        "/initiatives/<int:initiative_id>/impacts": {"metric_id": str(w["metric_id"]), "baseline_value": "5",
                                                    "target_value": "3", "value_per_unit": "100"},
        "/initiatives/<int:initiative_id>/impacts/<int:impact_id>/edit": {
            "metric_id": str(w["nps_id"]), "baseline_value": "20", "target_value": "35", "value_per_unit": "1000",
            "attribution": "0.5"},
        "/initiatives/<int:initiative_id>/impacts/<int:impact_id>/delete": {"confirm": "yes"},
        "/journeys/upload": {"journey_id": str(w["journey_id"]), "metric": "nps", "period_start": "2026-06-01",
                             "period_end": "2026-06-30", "scores": "10 9 3"},
        "/journeys/new": {"name": "Open an account", "owner_id": str(w["users"]["journey_owner"]), "status": "draft"},
        "/journeys/<int:journey_id>/edit": {"name": "Claims, renamed", "owner_id": str(w["users"]["journey_owner"]),
                                            "status": "active"},
        "/journeys/<int:journey_id>/stages": {"name": "Aware", "phase": "pre_sale"},
        "/journeys/<int:journey_id>/stages/<int:stage_id>/edit": {"name": "Discover", "phase": "pre_sale"},
        "/journeys/<int:journey_id>/stages/<int:stage_id>/move": {"direction": "down"},
        "/journeys/<int:journey_id>/stages/<int:stage_id>/remove": {"confirm": "yes"},
        "/journeys/<int:journey_id>/touchpoints": {"stage_id": str(w["stage_id"]), "name": "Hotline",
                                                   "channel": "phone"},
        "/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/edit": {"stage_id": str(w["stage_id"]),
                                                                             "name": "Web form", "channel": "web"},
        "/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/remove": {"confirm": "yes"},
        "/journeys/<int:journey_id>/targets": {"metric_id": str(w["nps_id"]), "value": "40", "due_on": "2027-06-30"},
        "/journeys/<int:journey_id>/targets/<int:target_id>/edit": {"metric_id": str(w["nps_id"]), "value": "45",
                                                                     "due_on": "2027-06-30"},
        "/journeys/<int:journey_id>/targets/<int:target_id>/remove": {"confirm": "yes"},
        "/journeys/<int:journey_id>/stages/<int:stage_id>/status": {"status": "retired"},
        "/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/status": {"status": "retired"},
        "/journeys/<int:journey_id>/measurements/new": {"metric_id": str(w["nps_id"]), "period_start": "2026-08-01",
                                                        "period_end": "2026-08-31", "value": "30"},
        "/meetings": {"committee_id": str(w["committee_id"]), "title": "Q3 review", "starts_at": "2026-12-10T09:00"},
        "/meetings/<int:meeting_id>/action-items": {"title": "Call back", "owner_id": str(w["users"]["member"]),
                                                    "due_on": "2026-12-20"},
        "/meetings/<int:meeting_id>/agenda": {"title": "Welcome", "kind": "information"},
        "/meetings/<int:meeting_id>/agenda/<int:item_id>/edit": {"title": "Welcome back", "kind": "information",
                                                                "version": str(w["agenda_item_version"])},
        "/meetings/<int:meeting_id>/agenda/<int:item_id>/move": {"direction": "down"},
        "/meetings/<int:meeting_id>/agenda/<int:item_id>/remove": {"confirm": "yes"},
        "/meetings/<int:meeting_id>/edit": {"title": "Q3 review", "starts_at": "2026-11-02T10:00",
                                            "duration_minutes": "90", "location": "Room 2",
                                            "version": str(w["meeting_version"])},
        "/meetings/<int:meeting_id>/agenda/suggested": {},
        "/meetings/<int:meeting_id>/attendance": {f"status_{w['other_user_id']}": "attended"},
        "/meetings/<int:meeting_id>/attendance/me": {"status": "accepted"},
        "/committees/<int:committee_id>/series/new": {"title": "Monthly steering", "rrule": "FREQ=MONTHLY;COUNT=2",
                                                      "first_starts_at": "2027-02-02T09:00", "duration_minutes": "60"},
        "/meetings/<int:meeting_id>/decisions": {"text": "Go ahead.", "kind": "other"},
        "/meetings/<int:meeting_id>/minutes": {"minutes": "We met."},
        "/meetings/<int:meeting_id>/minutes/corrections": {"text": "A correction."},
        "/meetings/<int:meeting_id>/minutes/publish": {"confirm": "yes"},
        "/meetings/<int:meeting_id>/status": {"status": "held"},
        "/notifications/<int:notification_id>/read": {},
        "/notifications/read-all": {},
        "/login": {"email": "member@example.com", "password": factories.PASSWORD},
        "/logout": {},
    }
    return forms.get(rule, {})


class World:
    """The dataset, saved once and put back whenever a request may have changed it."""

    def __init__(self, app, template):
        self.app = app
        self.template = template
        self._clients = {}
        with app.app_context():
            self.ids = build_world()
            db.session.remove()
            db.engine.dispose()
        self._save()

    # -- snapshots ------------------------------------------------------------------------------
    def _save(self):
        if self.template["kind"] == "sqlite":
            self.snapshot_path = self.template["path"].with_name("authorization_world.sqlite")
            shutil.copyfile(self.template["path"], self.snapshot_path)
            return
        self.snapshot = dict(self.template, **pg_snapshot(self.template))

    def restore(self):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self.template["kind"] == "sqlite":
            shutil.copyfile(self.snapshot_path, self.template["path"])
        else:
            restore_postgresql(self.snapshot)

    # -- clients --------------------------------------------------------------------------------
    def client(self, role, api, fresh=False):
        """A client for `role`: bearer token for the API, a signed-in session for pages."""
        key = (role, api)
        if not fresh and key in self._clients:
            return self._clients[key]
        client = self.app.test_client()
        if role != "anonymous":
            if api:
                client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {self.ids['tokens'][role]}"
            else:
                sign_in_session(self.app, client, self.ids["users"][role])
        if not fresh:
            self._clients[key] = client
        return client

    def csrf(self, client):
        if not hasattr(client, "csrf_token"):
            response = client.get("/login")
            html = (response if response.status_code == 200 else client.get("/")).get_data(as_text=True)
            match = CSRF_INPUT.search(html)
            client.csrf_token = match.group(1) if match else None
        return client.csrf_token

    def request(self, rule, method, role, headers=None):
        api = rule.startswith("/api")
        # Signing in or out (or a new password) changes the client's session: those get a client of their own.
        client = self.client(role, api, fresh=rule in ("/login", "/logout", "/api/auth/tokens/current",
                                                       "/account/password"))
        path = _build(rule, url_values(rule, self.ids))
        if rule == "/api/reports/stages":
            path += "?stage_type=purchase&metric=nps"
        if api:
            if rule == "/api/measurements/import" and method == "POST":
                return client.post(path, data={"file": (upload(self.ids), "m.csv")},
                                   content_type="multipart/form-data")
            body = json_body(rule, method, self.ids)
            if rule.endswith("/agenda-items/order"):
                body = {"ids": list(reversed(self.agenda_ids()))}
            return client.open(path, method=method, json=body, headers=headers)
        if method == "GET":
            return client.get(path)
        data = dict(form_data(rule, self.ids))
        token = self.csrf(client)
        if token:
            data["csrf_token"] = token
        if rule == "/journeys/upload":
            data["file"] = (upload(self.ids), "m.csv")
            return client.post(path, data=data, content_type="multipart/form-data")
        if rule == "/journeys/upload/confirm":  # the upload's preview first: it keeps the file
            preview = client.post("/journeys/upload", data={**data, "file": (upload(self.ids), "m.csv")},
                                  content_type="multipart/form-data")
            kept = re.search(r'name="upload" value="([^"]+)"', preview.get_data(as_text=True))
            data["upload"] = kept.group(1) if kept else "none-kept-for-this-role"
        return client.post(path, data=data)

    def audit_count(self):
        from sqlalchemy import func, select

        from cxgov.audit.models import AuditEntry

        with self.app.app_context():
            count = db.session.scalar(select(func.count()).select_from(AuditEntry))
            db.session.remove()
        return count

    def agenda_ids(self):
        from sqlalchemy import select

        from cxgov.models import AgendaItem

        with self.app.app_context():
            ids = list(db.session.scalars(select(AgendaItem.id).where(
                AgendaItem.meeting_id == self.ids["meeting_id"]).order_by(AgendaItem.position)))
            db.session.remove()
        return ids


def _build(rule, values):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)
