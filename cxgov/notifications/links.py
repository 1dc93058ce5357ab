"""Where a notification points: the page of what it is about.

A notification records its subject as `entity`/`entity_id` (and its `kind`); the page follows
from them, so no URL is stored:

- a meeting reminder → the meeting page;
- an action item due or overdue, to its owner → "My action items", at the item;
- an action item escalated to the CX leaders → the action items of its meeting (else its initiative);
- a measurement reminder → the initiative page;
- "no action logged", to the ambassador → the form to log one;
- the inactivity list, to the CX leaders → the ambassador network page;
- the weekly digest → the home page, where the same figures stand.

Mails carry the link as an absolute URL under `CXGOV_BASE_URL`; without it they carry none (the
in-app inbox always links).
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cxgov.extensions import db

OWNER_ACTION_ITEM_KINDS = frozenset({"action_item_due", "action_item_overdue"})
KIND_PAGES = {
    "ambassador_inactivity": "ambassadors.network",
    "weekly_digest": "home.index",
}


# What the inbox's link says, by the page it opens.
LABELS = {
    "steering.meeting": _l("Open the meeting"),
    "steering.my_action_items": _l("Open your action items"),
    "initiatives.detail": _l("Open the initiative"),
    "ambassadors.log_action": _l("Log an action"),
    "ambassadors.network": _l("Open the ambassador network"),
    "home.index": _l("Open your home page"),
}


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class Subject:
    """An action item's place: its meeting and initiative, the pages it appears on."""
    meeting_id: int | None
    initiative_id: int | None


def target(kind, entity, entity_id, action_item=None):
    """(endpoint, values, anchor) of the page a notification is about, or None. `action_item`
    gives an action item's meeting and initiative (a `Subject` or the item itself)."""
    if entity == "meeting" and entity_id:
        return "steering.meeting", {"meeting_id": entity_id}, None
    if entity == "initiative" and entity_id:
        return "initiatives.detail", {"initiative_id": entity_id}, None
    if entity == "ambassador":
        return "ambassadors.log_action", {}, None
    if entity == "action_item" and entity_id:
        if kind in OWNER_ACTION_ITEM_KINDS:
            return "steering.my_action_items", {}, f"action-item-{entity_id}"
        if action_item is not None and action_item.meeting_id:
            return "steering.meeting", {"meeting_id": action_item.meeting_id}, "action-items"
        if action_item is not None and action_item.initiative_id:
            return "initiatives.detail", {"initiative_id": action_item.initiative_id}, None
        return None
    if kind in KIND_PAGES:
        return KIND_PAGES[kind], {}, None
    return None


def path(kind, entity, entity_id, action_item=None):
    """The site-relative URL of the page a notification is about, or None (works outside a request)."""
    found = target(kind, entity, entity_id, action_item)
    if found is None:
        return None
    endpoint, values, anchor = found
    built = current_app.url_map.bind("localhost").build(endpoint, values)
    return built + (f"#{anchor}" if anchor else "")


def absolute(relative):
    """`relative` under CXGOV_BASE_URL, for mail; None when no base URL is configured."""
    base = (current_app.config.get("CXGOV_BASE_URL") or "").rstrip("/")
    if not base or relative is None:
        return None
    return base + relative


def account_settings():
    """The absolute URL of the account settings (where the digest preference is chosen), which
    every mail's footer names; None when no base URL is configured."""
    return absolute(current_app.url_map.bind("localhost").build("account.settings"))


def inbox_links(notifications):
    """{notification id: `Link`} for a page of the inbox: one query, for the action
    items among them, whatever their number."""
    item_ids = {n.entity_id for n in notifications
                if n.entity == "action_item" and n.entity_id and n.kind not in OWNER_ACTION_ITEM_KINDS}
    places = {}
    if item_ids:
        from cxgov.steering.models import ActionItem

        places = {item_id: Subject(meeting_id, initiative_id) for item_id, meeting_id, initiative_id in
                  db.session.execute(select(ActionItem.id, ActionItem.meeting_id, ActionItem.initiative_id)
                                     .where(ActionItem.id.in_(item_ids)))}
    links = {}
    for n in notifications:
        place = places.get(n.entity_id) if n.entity == "action_item" else None
        found = target(n.kind, n.entity, n.entity_id, place)
        if found is not None:
            links[n.id] = Link(path(n.kind, n.entity, n.entity_id, place), str(LABELS[found[0]]))
    return links
