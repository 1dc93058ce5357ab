"""Who may do what (SPEC §5). Every permission in cxgov is decided here.

Each rule is a function of the acting user (and the object acted on, where it matters)
returning a bool. `require(rule, user, obj)` raises `Forbidden` when the answer is no.
Ambassadors, secretaries and journey owners are not roles: they follow from the data (an active
ambassador assignment, a committee membership, a journey's `owner_id`).

The policy sits below every feature and imports none (`.importlinter`): the rules that depend on
a feature's rows ask the feature, through the function it hands over when the app is created
(`learn`). Until a feature has answered, the answer is no.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cxgov.errors import Forbidden, Unauthorized

GOVERNANCE_ROLES = frozenset({"admin", "cx_leader"})
REPORT_ROLES = frozenset({"admin", "cx_leader", "executive"})


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_governance(user):
    return _signed_in(user) and user.role in GOVERNANCE_ROLES


# -- what the features know ------------------------------------------------------------------------

_FACTS = {
    "active_assignment": lambda user: None,  # the user's active ambassador assignment, or None
    "is_secretary": lambda user, committee_id: False,  # secretary of that steering committee?
    "is_committee_member": lambda user, committee_id: False,  # a member of that steering committee?
    "owns_a_journey": lambda user: False,  # the owner of some journey?
}


def learn(**answers):
    """How the features answer what the rules ask them: `active_assignment(user)`,
    `is_secretary(user, committee_id)`, `is_committee_member(user, committee_id)`,
    `owns_a_journey(user)`."""
    unknown = answers.keys() - _FACTS.keys()
    if unknown:
        raise TypeError(f"The policy asks nothing called {', '.join(sorted(unknown))}.")
    _FACTS.update(answers)


# -- reading ---------------------------------------------------------------------------------

def read(user, obj=None):
    """The governance record is readable by everyone signed in."""
    return _signed_in(user)


# -- organisation: users, departments ----------------------------------------------------------

def manage_org(user, obj=None):
    return _signed_in(user) and user.role == "admin"


# -- steering: committees, meetings, agendas, decisions, action items --------------------------

def manage_governance(user, obj=None):
    return is_governance(user)


def write_minutes(user, meeting):
    """CX leaders and admins, or the secretary of the meeting's committee."""
    if is_governance(user):
        return True
    return _signed_in(user) and _FACTS["is_secretary"](user, meeting.committee_id)


def answer_invitation(user, meeting):
    """A member of the meeting's committee answers their own invitation (SPEC §9); nobody else,
    whatever their role."""
    return _signed_in(user) and _FACTS["is_committee_member"](user, meeting.committee_id)


def update_action_item_status(user, item):
    return is_governance(user) or (_signed_in(user) and item.owner_id == user.id)


# -- ambassadors -----------------------------------------------------------------------------

def manage_ambassadors(user, obj=None):
    return is_governance(user)


def active_assignment(user):
    """The user's active ambassador assignment, or None."""
    return _FACTS["active_assignment"](user) if _signed_in(user) else None


def log_ambassador_action(user, department_id=None):
    """Governance may log for anyone; an active ambassador logs for their own department."""
    if is_governance(user):
        return True
    assignment = active_assignment(user)
    return assignment is not None and (department_id is None or assignment.department_id == department_id)


def view_ambassador_network(user, obj=None):
    """The network report and page (SPEC §5, §11): the reports roles, and active ambassadors (read)."""
    return view_reports(user) or active_assignment(user) is not None


def edit_ambassador_action(user, action):
    if is_governance(user):
        return True
    assignment = active_assignment(user)
    return assignment is not None and action.ambassador_id == assignment.id


# -- journeys, stages, touchpoints, measurements ---------------------------------------------

def create_journey(user, obj=None):
    return is_governance(user)


def write_journey(user, journey):
    """Governance, or the journey's owner for their own journey."""
    return is_governance(user) or (_signed_in(user) and journey.owner_id == user.id)


def write_measurements(user, obj=None):
    """Records measurements on some journey: governance, or the owner of a journey. (Which
    journeys, `write_journey` decides once they are known.)"""
    return is_governance(user) or (_signed_in(user) and _FACTS["owns_a_journey"](user))


def manage_metrics(user, obj=None):
    return is_governance(user)


def read_import_job(user, job):
    """A background import's status and errors: whoever uploaded it, CX leaders, admins."""
    return is_governance(user) or (_signed_in(user) and job.created_by_id == user.id)


# -- initiatives, cash flows, impacts ----------------------------------------------------------

def propose_initiative(user, obj=None):
    return _signed_in(user) and user.role in {"admin", "cx_leader", "member"}


def edit_initiative(user, initiative):
    """Governance, or the owner while the initiative is not closed."""
    if is_governance(user):
        return True
    return (
        _signed_in(user)
        and user.role != "executive"
        and initiative.owner_id == user.id
        and initiative.status != "closed"
    )


def decide_initiative(user, initiative=None):
    """Approve or reject: only CX leaders and admins."""
    return is_governance(user)


def record_review(user, initiative=None):
    """Review verdicts (SPEC §8.4) and re-baselining: only CX leaders and admins."""
    return is_governance(user)


# -- reports and audit -----------------------------------------------------------------------

def view_reports(user, obj=None):
    return _signed_in(user) and user.role in REPORT_ROLES


def view_initiative_roi(user, initiative):
    return view_reports(user) or (_signed_in(user) and initiative.owner_id == user.id)


BUSINESS_CASE_REFUSED = _l("An initiative's business case (cash flows, impacts) is for its owner, CX leaders, "
                           "executives and admins.")


def view_business_case(user, initiative):
    """An initiative's cash flows and impacts (its money), like its ROI: governance, executives
    and its owner; other members read the initiative without them."""
    return view_initiative_roi(user, initiative)


def view_trace_figures(user, initiative):
    """The money of a decision's trace (SPEC §5 "benefits report, decision register and trace"):
    its initiative's baseline and actual NPV and ROI, impacts' annual values and review
    snapshots. Everyone signed in reads the register and traces; these figures only the reports
    roles and the initiative's owner."""
    return view_initiative_roi(user, initiative)


def view_failed_mail(user, obj=None):
    """Notifications whose mail failed for good: a matter of configuration, for admins."""
    return _signed_in(user) and user.role == "admin"


def view_audit(user, obj=None):
    return is_governance(user)


# -- the main navigation -------------------------------------------------------------------------

def is_active_ambassador(user, obj=None):
    return active_assignment(user) is not None


# The pages of the main navigation, in order, each with the rule that decides who may open it.
# A page is listed for a user exactly when the page answers them with its content: "Log an
# action" is for active ambassadors (others get an explanation, not the form), the network page
# for those who may read it, the ROI report for the reports roles (a member sees their own
# initiatives' ROI on each initiative's page).
PAGES = (
    ("home.index", read),
    ("steering.committees", read),
    ("steering.meetings", read),
    ("steering.my_action_items", read),
    ("ambassadors.log_action", is_active_ambassador),
    ("ambassadors.me", is_active_ambassador),
    ("ambassadors.network", view_ambassador_network),
    ("journeys.index", read),
    ("initiatives.index", read),
    ("steering.decisions", read),
    ("roi.report", view_reports),
    ("notifications.inbox", read),
    ("admin.users", manage_org),
    ("admin.audit", view_audit),
)


def visible_pages(user):
    """The endpoints of the main navigation `user` may open, in order (none when signed out).
    The active assignment is looked up once, whatever the number of pages that depend on it."""
    if not _signed_in(user):
        return []
    ambassador = active_assignment(user) is not None
    # The rules that depend on the assignment, answered from that one lookup.
    known = {is_active_ambassador: ambassador, view_ambassador_network: ambassador or view_reports(user)}
    return [endpoint for endpoint, rule in PAGES if (known[rule] if rule in known else rule(user))]


def require(rule, user, obj=None, message=None):
    if not _signed_in(user):
        raise Unauthorized(_("Sign in first."))
    if not rule(user, obj):
        raise Forbidden(str(message) if message else _("You are not allowed to do this."))
