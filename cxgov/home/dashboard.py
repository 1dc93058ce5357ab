"""What the home page shows each person: the sections that apply to them (SPEC §1, §5), each
built from the service that owns its figures, in a fixed number of queries whatever the data.

- CX leader (and admin): the next meeting and what it must decide, overdue action items, KPIs
  moving the wrong way, journey and stage targets off track or near (worst first, SPEC §10), silent
  ambassadors, initiatives delivered but not measured.
- Executive (and admin): the funded portfolio as the ROI report opens (`portfolio_headline`),
  and the benefits realisation headline (`benefits_report`, SPEC §8.6).
- Active ambassador: their recent actions and their department's activity.
- Journey owner: their journeys with the latest KPI values.
- Everyone with work on their name (always a member): open action items and own initiatives.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.ambassadors import report as network_report
from cxgov.ambassadors import services as ambassador_services
from cxgov.ambassadors.models import Ambassador, AmbassadorAction
from cxgov.db import today as utc_today
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Initiative
from cxgov.journeys import targets as journey_targets
from cxgov.journeys.models import Journey
from cxgov.roi import benefits as roi_benefits
from cxgov.roi import services as roi_services
from cxgov.roi.schemas import ReportArgs
from cxgov.steering import suggestions
from cxgov.steering.models import ActionItem, Meeting

# How many rows a section lists before it links to the full page.
SHORT_LIST = 5
OVERDUE_LIST = 10
# The longer lists (KPIs, initiatives to measure, one's own work) show this many and count the
# rest, so the page stays small whatever the size of the organisation.
LONG_LIST = 10
# A meeting is "next" until twelve hours after its start, as on the meetings page.
UPCOMING_GRACE = timedelta(hours=12)


@dataclass
class Dashboard:
    sections: list = field(default_factory=list)  # names, in the order the page shows them
    leader: dict | None = None
    portfolio: dict | None = None
    ambassador: dict | None = None
    journeys: list | None = None
    work: dict | None = None


def next_meeting(now):
    """The first scheduled meeting that has not long started, with its agenda."""
    return db.session.scalar(
        select(Meeting).options(selectinload(Meeting.agenda_items), selectinload(Meeting.committee))
        .where(Meeting.status == "scheduled", Meeting.starts_at >= now - UPCOMING_GRACE)
        .order_by(Meeting.starts_at, Meeting.id).limit(1))


def leader_section(user, today, now, network, movements):
    meeting = next_meeting(now)
    to_decide, on_agenda = [], set()
    if meeting is not None:
        on_agenda = {item.initiative_id for item in meeting.agenda_items if item.initiative_id}
        # Its decision items, and the items about a proposal: a proposal waits for a decision.
        proposed_ids = set(db.session.scalars(select(Initiative.id).where(
            Initiative.id.in_(on_agenda), Initiative.status == "proposed"))) if on_agenda else set()
        to_decide = [item for item in meeting.agenda_items
                     if item.kind == "decision" or item.initiative_id in proposed_ids]
    # The oldest proposals not on its agenda, and how many there are: never every proposal (a
    # thousand or more in a large portfolio) loaded to show five.
    awaiting = suggestions.awaiting_decision(SHORT_LIST, leaving_out=on_agenda)
    awaiting_count = suggestions.count_awaiting_decision(leaving_out=on_agenda)
    overdue_filter = (ActionItem.status == "open", ActionItem.due_on < today)
    overdue = db.session.scalars(
        select(ActionItem).options(selectinload(ActionItem.owner)).where(*overdue_filter)
        .order_by(ActionItem.due_on, ActionItem.id).limit(OVERDUE_LIST)).all()
    overdue_count = db.session.scalar(select(func.count(ActionItem.id)).where(*overdue_filter))
    wrong_way = sorted((movement for movement in movements() if movement.worse), key=relative_move, reverse=True)
    # The ones delivered longest ago first.
    unmeasured, unmeasured_count = roi_services.not_yet_measured(user, {}, LONG_LIST)
    silent = [row for row in network()["departments"] if row["silent"]]
    return {
        "meeting": meeting, "to_decide": to_decide, "awaiting": awaiting, "awaiting_count": awaiting_count,
        "overdue": overdue, "overdue_count": overdue_count,
        "wrong_way": wrong_way[:LONG_LIST], "wrong_way_count": len(wrong_way),
        "silent": silent[:LONG_LIST], "silent_count": len(silent),
        "silent_after_days": network_report.SILENT_AFTER_DAYS,
        "unmeasured": unmeasured, "unmeasured_count": unmeasured_count,
        "targets": journey_targets.needing_attention(),
    }


def relative_move(movement):
    """How far a KPI moved, as a share of the value before (the whole move from zero): the
    largest moves the wrong way are listed first."""
    change = abs(movement.latest - movement.previous)
    return change / abs(movement.previous) if movement.previous else change


# The home page shows the portfolio the ROI report page shows by default: what was funded.
PORTFOLIO_ARGS = {"portfolio": "funded"}


RANKED = 3


def portfolio_section(user):
    """The ROI report's own headline (`portfolio_headline`), never computed again here, and its
    ranking cut short: the best three and, never repeating one of them, the worst three."""
    args = ReportArgs().load(PORTFOLIO_ARGS)
    # Kept per process while the portfolio's data is unchanged, as the ROI page's report is.
    report = roi_services.kept("headline", user, args, lambda: roi_services.portfolio_headline(user, args))
    # The report's top five are ranked best first, its bottom five worst first.
    bottom = report["bottom"] or list(reversed(report["top"][RANKED:]))
    # The realisation headline: the benefits report's totals for the same portfolio (SPEC §8.6).
    benefits = roi_benefits.benefits_report(user, args)
    return {"report": report, "top": report["top"][:RANKED], "bottom": bottom[:RANKED], "benefits": benefits}


def ambassador_section(assignment, network):
    department_id = assignment.department_id
    row = next((r for r in network()["departments"] if r["department"]["id"] == department_id), None)
    recent = db.session.scalars(
        select(AmbassadorAction)
        .options(selectinload(AmbassadorAction.ambassador).selectinload(Ambassador.user))
        .where(AmbassadorAction.department_id == department_id)
        .order_by(AmbassadorAction.occurred_on.desc(), AmbassadorAction.id.desc()).limit(SHORT_LIST)).all()
    return {
        "assignment": assignment, "department": row,
        "own": ambassador_services.actions_of_user(assignment.user_id, limit=SHORT_LIST),
        "department_recent": recent,
    }


def journeys_section(user, movements):
    journeys = db.session.scalars(
        select(Journey).where(Journey.owner_id == user.id, Journey.status != "retired").order_by(Journey.name)).all()
    if not journeys:
        return []
    by_journey = {}
    for movement in movements({j.id for j in journeys}):
        by_journey.setdefault(movement.journey_id, []).append(movement)
    return [{"journey": j, "kpis": by_journey.get(j.id, [])} for j in journeys]


def work_section(user):
    """The person's open action items (soonest due first) and open initiatives (nearest target
    first): the first LONG_LIST of each, and how many there are."""
    own_items = (ActionItem.owner_id == user.id, ActionItem.status == "open")
    items = db.session.scalars(
        select(ActionItem).where(*own_items).order_by(ActionItem.due_on, ActionItem.id).limit(LONG_LIST)).all()
    own_initiatives = (Initiative.owner_id == user.id, Initiative.status.not_in(lifecycle.FINAL))
    initiatives = db.session.scalars(
        select(Initiative).where(*own_initiatives)
        .order_by(Initiative.target_on.is_(None), Initiative.target_on, Initiative.title, Initiative.id)
        .limit(LONG_LIST)).all()
    return {
        "items": items, "items_count": db.session.scalar(select(func.count(ActionItem.id)).where(*own_items)),
        "initiatives": initiatives,
        "initiatives_count": db.session.scalar(select(func.count(Initiative.id)).where(*own_initiatives)),
    }


def build(user, now=None):
    """The dashboard of `user`: every section that applies to them."""
    now = now or utcnow()
    today = utc_today()
    cache = {}

    def network():
        # The network report, computed once however many sections use it.
        if "report" not in cache:
            cache["report"] = network_report.ambassador_report(*network_report.report_period(today=today), trend=False)
        return cache["report"]

    def movements(journey_ids=None):
        # The KPI movements of `journey_ids` (None: every journey), read once for all when the
        # leader's section has read them.
        if "movements" in cache:
            return [m for m in cache["movements"] if journey_ids is None or m.journey_id in journey_ids]
        found = suggestions.kpi_movements(today, None if journey_ids is None else sorted(journey_ids))
        if journey_ids is None:
            cache["movements"] = found
        return found

    dashboard = Dashboard()
    if user.role == "executive":
        dashboard.portfolio = portfolio_section(user)
        dashboard.sections.append("portfolio")
    if policy.is_governance(user):
        dashboard.leader = leader_section(user, today, now, network, movements)
        dashboard.sections.append("leader")
    if user.role == "admin":
        dashboard.portfolio = portfolio_section(user)
        dashboard.sections.append("portfolio")
    assignment = policy.active_assignment(user)
    if assignment is not None:
        dashboard.ambassador = ambassador_section(assignment, network)
        dashboard.sections.append("ambassador")
    dashboard.journeys = journeys_section(user, movements)
    if dashboard.journeys:
        dashboard.sections.append("journeys")
    dashboard.work = work_section(user)
    if user.role == "member" or dashboard.work["items"] or dashboard.work["initiatives"]:
        dashboard.sections.append("work")
    return dashboard
