"""The main navigation: the pages `policy.visible_pages` lets the user open, labelled, with the
current one marked.

`aria-current="page"` marks the entry of the page shown; a page below an entry (a meeting under
Meetings, an initiative under Initiatives) marks its entry `aria-current="true"`, the current
section.
"""
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cxgov import policy

LABELS = {
    "home.index": _l("Home"),
    "steering.committees": _l("Committee"),
    "steering.meetings": _l("Meetings"),
    "steering.my_action_items": _l("My action items"),
    "ambassadors.log_action": _l("Log an action"),
    "ambassadors.me": _l("My ambassador page"),
    "ambassadors.network": _l("Ambassador network"),
    "journeys.index": _l("Journeys"),
    "initiatives.index": _l("Initiatives"),
    "steering.decisions": _l("Decisions"),
    "roi.report": _l("ROI report"),
    "notifications.inbox": _l("Inbox"),
    "admin.users": _l("Administration"),
    "admin.audit": _l("Audit trail"),
}

# Pages that belong to a navigation entry without being it.
SECTIONS = {
    "steering.meeting": "steering.meetings",
    "steering.minutes": "steering.meetings",
    "ambassadors.history": "ambassadors.log_action",
    "ambassadors.edit_action": "ambassadors.log_action",
    "ambassadors.ambassador": "ambassadors.network",
    "journeys.detail": "journeys.index",
    "journeys.upload": "journeys.index",
    "stage_pages.compare_stages": "journeys.index",
    "initiatives.detail": "initiatives.index",
    "steering.decision_trace": "steering.decisions",
    "admin.new_user": "admin.users",
    "admin.user": "admin.users",
    "admin.departments": "admin.users",
    "admin.department": "admin.users",
}


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    current: str | None  # the value of aria-current, or None


def nav_links(user=None, endpoint=None):
    """The navigation of `user` (default: the signed-in user) on the page `endpoint` (default:
    the request's)."""
    user = current_user if user is None else user
    endpoint = request.endpoint if endpoint is None else endpoint
    section = SECTIONS.get(endpoint)
    links = []
    for page in policy.visible_pages(user):
        if page not in current_app.view_functions:
            continue
        current = "page" if page == endpoint else "true" if page == section else None
        links.append(Link(page, str(LABELS[page]), current))
    return links
