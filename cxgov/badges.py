"""Status badges for the pages: one look per meaning, the same everywhere.

`{{ initiative.status|badge }}` renders the status as a coloured badge; the word is always
written out, so the colour only repeats what the text says. `{{ item.due_on|overdue }}` renders
an "overdue" badge when the date has passed (and nothing otherwise).
"""
from flask_babel import gettext as _
from markupsafe import Markup, escape

from cxgov.db import today
from cxgov.formatting import label as status_label

# Tones (static/cxgov.css: .badge-<tone>): info = waiting or planned, progress = under way,
# good = done well, warn = needs attention, bad = refused, failed or late, neutral = closed or no
# judgement. Each pairs a dark text with a light background at a contrast of at least 4.5:1.
TONES = {
    # initiatives
    "proposed": "info", "approved": "good", "in_progress": "progress", "delivered": "good",
    "closed": "neutral", "rejected": "bad", "cancelled": "bad",
    # meetings, action items, attendance
    "scheduled": "info", "held": "good", "open": "info", "done": "good", "overdue": "bad",
    "invited": "info", "accepted": "good", "declined": "bad", "attended": "good", "absent": "warn",
    # journeys, ambassadors
    "draft": "info", "active": "good", "retired": "neutral", "silent": "warn", "uncovered": "bad",
    # reviews and decision outcomes
    "due": "warn", "achieved": "good", "partly_achieved": "warn", "not_achieved": "bad",
    "inconclusive": "neutral", "pending": "info", "in_delivery": "progress", "delivered_unmeasured": "warn",
    "measured": "info", "realised": "good", "not_realised": "bad", "superseded": "neutral",
    "recorded": "neutral",
    # journey targets: red, amber, green (RAG), grey while nothing is measured
    "met": "good", "near": "warn", "off": "bad", "no_data": "neutral",
}


def badge(status, label=None):
    """A badge for a status (any other word gets the neutral look)."""
    status = str(status)
    tone = TONES.get(status, "neutral")
    text = label if label is not None else status_label(status)
    return Markup(f'<span class="badge badge-{tone}">{escape(text)}</span>')


def overdue(due_on, on=None):
    """An "overdue" badge if `due_on` is before today (or `on`), else nothing."""
    if due_on is None or due_on >= (on or today()):
        return Markup("")
    return badge("overdue", _("overdue"))
