"""Picking an initiative by typing: what a form's initiative field offers and how it reads what
was typed, whatever the number of initiatives.

A field offers a short list (the initiatives a page already knows are likely, then the open
proposals changed last; on an ambassador's log, the open initiatives of their department changed
last: `open_of_department`) and answers a search (`search`, behind `GET /initiatives/options`) of
at most `SEARCH_LIMIT` initiatives by title or number. Each choice reads "#12 Title"; the field
accepts such a choice, "#12" alone, or a title naming exactly one initiative (`resolve`).
"""
import re

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Initiative
from cxgov.rest import INT_MAX

SHORTLIST_LIMIT = 30
SEARCH_LIMIT = 20
_NUMBER = re.compile(r"#\s*(\d{1,12})(?:\s.*)?", re.DOTALL)


def choice(initiative):
    """How a field shows the initiative, and what it sends back when picked."""
    return f"#{initiative.id} {initiative.title}"


def _open_first():
    return case((Initiative.status.in_(lifecycle.FINAL), 1), else_=0)


def shortlist(likely_ids=(), limit=SHORTLIST_LIMIT):
    """The initiatives `likely_ids` (in that order, at most `limit`), then the open proposals
    changed last, up to `limit` in all: two queries at most."""
    likely_ids = list(dict.fromkeys(i for i in likely_ids if i))[:limit]
    found = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(likely_ids)))} \
        if likely_ids else {}
    chosen = [found[i] for i in likely_ids if i in found]
    if len(chosen) < limit:
        chosen += db.session.scalars(
            select(Initiative).where(Initiative.status == "proposed", Initiative.id.not_in(likely_ids or [0]))
            .order_by(Initiative.updated_at.desc(), Initiative.id.desc()).limit(limit - len(chosen))).all()
    return chosen


def open_of_department(department_id, limit=SHORTLIST_LIMIT):
    """The open initiatives of the department changed last, then the other open ones changed
    last, up to `limit` in all: two queries at most."""
    still_open = Initiative.status.not_in(lifecycle.FINAL)
    newest = (Initiative.updated_at.desc(), Initiative.id.desc())
    chosen = db.session.scalars(select(Initiative).where(still_open, Initiative.department_id == department_id)
                                .order_by(*newest).limit(limit)).all()
    if len(chosen) < limit:
        chosen += db.session.scalars(select(Initiative).where(still_open, Initiative.department_id != department_id)
                                     .order_by(*newest).limit(limit - len(chosen))).all()
    return chosen


def search(text, limit=SEARCH_LIMIT):
    """At most `limit` initiatives whose title contains `text` (any case), or the one numbered
    "#12": open ones first, then by title. One query."""
    text = (text or "").strip()
    if not text:
        return []
    number = _NUMBER.fullmatch(text)
    wanted = Initiative.title.icontains(text, autoescape=True)
    if number and int(number.group(1)) <= INT_MAX:
        wanted = (Initiative.id == int(number.group(1))) | wanted
    return db.session.scalars(
        select(Initiative).where(wanted)
        .order_by(Initiative.id != (int(number.group(1)) if number else 0), _open_first(),
                  func.lower(Initiative.title), Initiative.id)
        .limit(limit)).all()


def resolve(text, field="initiative_id"):
    """The id of the initiative `text` names ("#12 Title", "#12", a title naming exactly one, in
    any case, or else the number alone); None when blank. Invalid, with a message on `field`,
    otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    number = _NUMBER.fullmatch(text)
    if number:
        initiative_id = int(number.group(1))
        if initiative_id <= INT_MAX and db.session.get(Initiative, initiative_id) is not None:
            return initiative_id
        raise Invalid(_("Some fields need another look."), errors={field: [
            _("There is no initiative #%(number)s: pick one from the list, or type its title.",
              number=number.group(1))]})
    ids = db.session.scalars(select(Initiative.id).where(func.lower(Initiative.title) == text.lower())
                             .order_by(Initiative.id).limit(2)).all()
    if len(ids) == 1:
        return ids[0]
    if not ids and text.isdigit() and int(text) <= INT_MAX and db.session.get(Initiative, int(text)) is not None:
        return int(text)  # the number alone, as a page opened before the field took text sends it
    if not ids:
        message = _("No initiative is called “%(title)s”: pick one from the list, or type its number, like #12.",
                    title=text)
    else:
        message = _("More than one initiative is called “%(title)s”: pick one from the list, or type its "
                    "number, like #12.", title=text)
    raise Invalid(_("Some fields need another look."), errors={field: [message]})


def picked(form, data, blank=None):
    """`data` with the initiative named in `form`'s `initiative_id` field (see `resolve`) as its
    id; a blank field gives `blank` (None: "no initiative"), or leaves the key out when `blank` is
    `...`. When the text names no initiative, or several, the field gets the message and `data`
    no initiative: loading the form then refuses it, and nothing is written."""
    data = {key: value for key, value in data.items() if key != "initiative_id"}
    try:
        initiative_id = resolve(form.value("initiative_id"))
    except Invalid as error:
        for message in error.errors["initiative_id"]:
            form.add("initiative_id", message)
        return data
    if initiative_id is None:
        return data if blank is ... else {**data, "initiative_id": blank}
    return {**data, "initiative_id": initiative_id}
