"""A committee's standing agenda (SPEC §9): its sections, in order, and filling a meeting's agenda
from them with what is due before it.

Each section but `fixed` has one source:

- `initiatives_ready`: proposed initiatives that pass the approval gate's checks (SPEC §8.1);
- `reviews_due`: post-implementation reviews due on or before the meeting's date;
- `carried_over`: open action items of earlier meetings due on or before it;
- `kpis_wrong_way`: journeys whose latest KPI moved the wrong way;
- `silent_ambassadors`: departments whose active ambassador logged no action for the last
  SILENT_AFTER_DAYS (30) days up to the meeting's date, by the network report's own rule.

A `fixed` section is one item titled like the section ("Minutes of the last meeting").

Every item carries a source key (those of cxgov/steering/suggestions.py, `department:<id>:silent`,
`section:<id>`), so filling again adds only what is newly due, each source once per meeting;
the suggestions then offer only what the sections do not cover. A new meeting is filled when it
is created; of a series, the next occurrence not held yet, and the following one when a meeting
of the series is marked held (far-future meetings are filled when their turn comes).
"""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cxgov.ambassadors import report
from cxgov.db import load, utcnow
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.formatting import day
from cxgov.initiatives import gate
from cxgov.steering import services, suggestions
from cxgov.steering.models import SECTION_SOURCES, AgendaItem, CommitteeSection, Meeting
from cxgov.steering.suggestions import Suggestion

SILENT_AFTER_DAYS = report.SILENT_AFTER_DAYS
KIND_LABELS = {
    "initiatives_ready": _l("Initiatives ready for a decision"),
    "reviews_due": _l("Reviews due"),
    "carried_over": _l("Carried-over action items"),
    "kpis_wrong_way": _l("KPIs moving the wrong way"),
    "silent_ambassadors": _l("Silent ambassadors (no action for %(days)s days)", days=SILENT_AFTER_DAYS),
    "fixed": _l("Fixed item (no source)"),
}


def kind_labels():
    """{source kind: how the page names it}, in the reader's language."""
    return {kind: str(text) for kind, text in KIND_LABELS.items()}


def sections_by_committee(committee_ids):
    """{committee id: its sections in order}, in one query."""
    found = {ident: [] for ident in committee_ids}
    if found:
        for section in db.session.scalars(select(CommitteeSection).where(
                CommitteeSection.committee_id.in_(found)).order_by(CommitteeSection.position)):
            found[section.committee_id].append(section)
    return found


def sections_of(committee_id):
    return db.session.scalars(select(CommitteeSection).where(CommitteeSection.committee_id == committee_id)
                              .order_by(CommitteeSection.position)).all()


def replace_sections(actor, committee, items):
    """Make `items` ({id?, title, kind}, in order) the committee's standing sections. A section named
    by `id`, or else the existing one of the same source kind, is kept (its agenda items stay filed
    under it); the others go (their items stay, without a section). Invalid names the field
    (`sections[2].kind`)."""
    services.require_governance(actor)
    current = {section.id: section for section in sections_of(committee.id)}
    by_kind = {section.kind: section for section in current.values() if section.kind in SECTION_SOURCES}
    errors, seen_kinds, kept = {}, {}, {}
    for index, data in enumerate(items):
        kind, ident = data["kind"], data.get("id")
        if kind in SECTION_SOURCES:
            if kind in seen_kinds:
                errors[f"sections[{index}].kind"] = [
                    _("%(kind)s is already section %(index)s: each source fills one section.", kind=kind,
                      index=seen_kinds[kind])]
            seen_kinds.setdefault(kind, index)
        if ident is not None and (ident not in current or ident in kept.values()):
            errors[f"sections[{index}].id"] = [_("Not a section of this committee (or given twice): %(id)s.",
                                                   id=ident)]
        elif ident is not None:
            kept[index] = ident
    for index, data in enumerate(items):
        if index not in kept and data["kind"] in by_kind and by_kind[data["kind"]].id not in kept.values():
            kept[index] = by_kind[data["kind"]].id
    if errors:
        raise Invalid(_("Some sections need another look."), errors=errors)
    # Out of the way first, so that no unique position or source collides while rows swap places.
    for ident in current:
        if ident not in kept.values():
            db.session.delete(current[ident])
    for offset, ident in enumerate(kept.values()):
        current[ident].position, current[ident].kind = 10_000 + offset, "fixed"
    db.session.flush()
    answer = []
    for index, data in enumerate(items):
        section = current[kept[index]] if index in kept else CommitteeSection(committee_id=committee.id)
        section.position, section.title, section.kind = index, data["title"].strip(), data["kind"]
        db.session.add(section)
        answer.append(section)
    db.session.flush()
    return answer


# -- what is due -------------------------------------------------------------------------------

def _initiatives_ready(meeting, on):
    proposed = suggestions.awaiting_decision()
    ready = gate.ready_ids(proposed)
    for initiative in proposed:
        if initiative.id in ready:
            yield Suggestion(f"initiative:{initiative.id}:decision",
                             _("Decide: %(title)s", title=initiative.title)[:200], "decision",
                             _("Proposed and ready for a decision: it passes the approval gate's checks."),
                             initiative_id=initiative.id)


def silent_departments(on):
    """The network report's departments, up to `on`, whose active ambassador is silent."""
    start, end = on - timedelta(days=report.DEFAULT_PERIOD_DAYS), on
    return [row for row in report.ambassador_report(start, end, trend=False)["departments"] if row["silent"]]


def _silent_ambassadors(meeting, on):
    for row in silent_departments(on):
        last = row["last_action_on"]
        reason = _("No action logged in the %(days)s days before the meeting; last action %(date)s.",
                   days=SILENT_AFTER_DAYS, date=day(last)) if last else \
            _("No action logged in the %(days)s days before the meeting; no action logged yet.",
              days=SILENT_AFTER_DAYS)
        yield Suggestion(f"department:{row['department']['id']}:silent",
                         _("Silent ambassador: %(department)s (%(ambassador)s)", department=row["department"]["name"],
                           ambassador=row["ambassador"]["name"])[:200], "information", reason)


SOURCES = {
    "initiatives_ready": _initiatives_ready,
    "reviews_due": lambda meeting, on: suggestions.reviews_due(on),
    "carried_over": suggestions.carried_over_action_items,
    "kpis_wrong_way": lambda meeting, on: suggestions.kpis_wrong_way(on),
    "silent_ambassadors": _silent_ambassadors,
}


def _from(section, meeting, on):
    if section.kind == "fixed":
        return [Suggestion(f"section:{section.id}", section.title, "information", _("Standing item."))]
    return list(SOURCES[section.kind](meeting, on))


def due(meeting, sections=None):
    """[(section, suggestion)] of what the standing sections bring that is not on the agenda yet,
    in section order, each source key once. A constant number of queries."""
    sections = sections_of(meeting.committee_id) if sections is None else sections
    if not sections:
        return []
    on = suggestions.meeting_date(meeting)
    present = set(db.session.scalars(
        select(AgendaItem.source_key).where(AgendaItem.meeting_id == meeting.id, AgendaItem.source_key.is_not(None))))
    found = []
    for section in sections:
        for suggestion in _from(section, meeting, on):
            if suggestion.source_key not in present:
                present.add(suggestion.source_key)
                found.append((section, suggestion))
    return found


def fill(actor, meeting):
    """Add what the standing sections bring that is newly due; the agenda is then ordered by
    section (items without a section after them). Returns the items added (none twice)."""
    services.require_governance(actor)
    services.refuse_if_published(meeting, "The agenda")
    sections = sections_of(meeting.committee_id)
    found = due(meeting, sections)
    if not found:
        return []
    added = [AgendaItem(meeting_id=meeting.id, section_id=section.id, source_key=s.source_key, title=s.title,
                        kind=s.kind, notes=s.reason, initiative_id=s.initiative_id, journey_id=s.journey_id,
                        position=0) for section, s in found]
    order = {section.id: index for index, section in enumerate(sections)}
    existing = list(load(meeting, "agenda_items").agenda_items)
    everything = sorted(
        [(order.get(item.section_id, len(order)), 0, item.position, item) for item in existing]
        + [(order[item.section_id], 1, index, item) for index, item in enumerate(added)],
        key=lambda row: row[:3])
    for index, (*_rest, item) in enumerate(everything):
        if item.position != index:
            item.position = index
    db.session.add_all(added)
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])
    return added


# -- when meetings are created and held ----------------------------------------------------------

def create_meeting(actor, data):
    """A meeting (services.create_meeting) with its agenda filled from the committee's sections."""
    meeting = services.create_meeting(actor, data)
    fill(actor, meeting)
    return meeting


def next_occurrence(series_id, after=None):
    """The series' first scheduled meeting starting after `after` (the present by default)."""
    return db.session.scalar(
        select(Meeting).where(Meeting.series_id == series_id, Meeting.status == "scheduled",
                              Meeting.starts_at > (after or utcnow()))
        .order_by(Meeting.starts_at, Meeting.id).limit(1))


def fill_next(actor, series_id, after=None):
    """Fill the series' next scheduled meeting (after `after`); returns it (None if none)."""
    meeting = next_occurrence(series_id, after)
    if meeting is not None:
        fill(actor, meeting)
    return meeting


def update_meeting(actor, meeting, data, now=None):
    """services.update_meeting; marking a meeting of a series held fills the series' next one."""
    was_held = meeting.status == "held"
    services.update_meeting(actor, meeting, data, now=now)
    if meeting.status == "held" and not was_held and meeting.series_id is not None:
        fill_next(actor, meeting.series_id, meeting.starts_at)
    return meeting

