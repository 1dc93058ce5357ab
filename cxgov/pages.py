"""Page forms, handled one way.

- A feature declares a form once (`FormSpec`): each field's HTML id, its label and its kind.
- `spec.read()` takes what was typed; `form.load(schema)` loads it through the feature's own
  marshmallow schema. What is wrong comes back as plain sentences per field (`human_message`,
  the one place marshmallow's and the services' messages become sentences for people), and the
  page is rendered again with the values kept (templates/_forms.html puts each message next to
  its field, with `aria-invalid`/`aria-describedby`, and a summary at the top linking to them).
- `create_once(form, act)`: a form that creates something acts once per one-time form token
  (cxgov/form_tokens.py); sending it again goes where the first one went.
- `confirmed()` / `ask_to_confirm()`: a destructive action only acts on a POST carrying
  `confirm=yes`; anything else renders a confirmation page whose form carries it (no script needed).
"""
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from markupsafe import Markup, escape
from marshmallow import ValidationError, fields
from sqlalchemy.exc import IntegrityError

from cxgov import form_tokens, formatting
from cxgov.errors import Conflict, Invalid
from cxgov.rest import INT_MAX
from cxgov.transaction import rollback, transactional

FORM_LEVEL = "_form"


@dataclass(frozen=True)
class Field:
    id: str  # the id of the input on the page: the summary links to it, its message refers to it
    label: str  # as the page labels it (a lazy string: it is read in the reader's language)
    kind: str = "text"  # text, integer, number, money, ratio, date, datetime, choice, file
    noun: str | None = None  # how a sentence names it ("the amount"); from the label by default

    @property
    def name(self):
        """How a sentence names the field, in the reader's language ("the amount")."""
        if self.noun:
            return str(self.noun)
        label = re.sub(r"\s*\(.*\)$", "", str(self.label))
        return pgettext("a form field named inside a sentence", "the %(field)s", field=label.lower())


class FormInvalid(Exception):
    """The form comes back to the person with its messages (the view renders it, 422)."""

    def __init__(self, form):
        super().__init__(form.name)
        self.form = form


class FormSpec:
    def __init__(self, name, /, **fields_):
        self.name = name
        self.fields = fields_

    def read(self, source=None):
        """The submitted form: every declared field as typed (trimmed), and its one-time token."""
        source = request.form if source is None else source
        values = {name: source.get(name, "").strip() for name in self.fields if name in source}
        return PageForm(self, values, token=source.get(form_tokens.FIELD) or None)

    def blank(self, **values):
        return PageForm(self, {k: "" if v is None else str(v) for k, v in values.items()})


class PageForm:
    def __init__(self, spec, values, errors=None, token=None):
        self.spec = spec
        self.name = spec.name
        self.values = dict(values)
        self.errors = dict(errors or {})
        self.token = token if form_tokens.usable(token) else None

    # -- reading ------------------------------------------------------------------------------
    def data(self, *names):
        """The fields that were filled in (blanks left out, so optional fields take their defaults)."""
        names = names or tuple(self.values)
        return {name: self.values[name] for name in names if self.values.get(name, "") != ""}

    def load(self, schema, data=None, partial=None):
        """`data` (by default the filled-in fields) loaded through `schema`, or FormInvalid (also
        when a message was already added, e.g. by reading a field the schema does not)."""
        data = self.data() if data is None else data
        data = {name: _typed(schema.fields.get(name), value) for name, value in data.items()}
        try:
            loaded = schema.load(data, partial=partial)
        except ValidationError as error:
            self.add_errors(error.messages)
            raise FormInvalid(self) from None
        if self.errors:
            raise FormInvalid(self)
        return loaded

    def refuse(self, error):
        """A service's refusal (Invalid, Conflict) shown on the form; raises FormInvalid."""
        if error.errors:
            self.add_errors(error.errors)
        # A conflict's detail explains it to people; an invalid field is explained by its messages.
        if isinstance(error, Conflict) or not any(name in self.spec.fields for name in error.errors or {}):
            self.add(FORM_LEVEL, error.detail or _("That could not be saved."))
        raise FormInvalid(self)

    def add_errors(self, messages):
        if not isinstance(messages, dict):
            messages = {FORM_LEVEL: messages}
        for name, found in messages.items():
            for message in _flat(found):
                field = self.spec.fields.get(name)
                sentence = human_message(message, field)
                if field is None and name not in (FORM_LEVEL, "_schema"):
                    sentence = f"{name.replace('_', ' ').capitalize()}: {sentence}"
                    name = FORM_LEVEL
                elif field is None:
                    name = FORM_LEVEL
                self.add(name, sentence)

    def add(self, name, sentence):
        self.errors.setdefault(name, [])
        if sentence not in self.errors[name]:
            self.errors[name].append(sentence)

    # -- rendering ----------------------------------------------------------------------------
    def value(self, name, default=""):
        return self.values.get(name, default)

    def selected(self, name, option, default=None):
        """`selected` when `option` is the submitted (or default) choice of a select."""
        current = self.values.get(name, default)
        return Markup("selected") if current is not None and str(current) == str(option) else ""

    def errors_for(self, name):
        return self.errors.get(name, [])

    def field_id(self, name):
        return self.spec.fields[name].id

    def summary(self):
        """[(id of the field or None, sentence)] in the order of the form."""
        items = [(None, m) for m in self.errors.get(FORM_LEVEL, [])]
        for name, field in self.spec.fields.items():
            items += [(field.id, m) for m in self.errors.get(name, [])]
        return items

    def attrs(self, name):
        """`aria-invalid`/`aria-describedby` for the input of `name` when it has a message."""
        if not self.errors.get(name):
            return ""
        return Markup(f'aria-invalid="true" aria-describedby="{escape(self.field_id(name))}-error"')

    def token_input(self):
        """The hidden one-time token: the submitted one on a re-render, a new one otherwise."""
        self.token = self.token or form_tokens.new_token()
        return Markup(f'<input type="hidden" name="{form_tokens.FIELD}" value="{escape(self.token)}">')


def _flat(messages):
    if isinstance(messages, dict):  # nested schemas, list indexes
        return [m for inner in messages.values() for m in _flat(inner)]
    if isinstance(messages, (list, tuple)):
        return [m for inner in messages for m in _flat(inner)]
    return [str(messages)]


def _typed(field, value):
    """Form text as the schema's field takes it (strict integer fields refuse strings)."""
    if isinstance(field, fields.Integer) and field.strict and isinstance(value, str) \
            and re.fullmatch(r"[+-]?\d{1,12}", value):
        return int(value)
    return value


# -- messages for people ---------------------------------------------------------------------

_RANGE = re.compile(r"^Must be (greater than or equal to|greater than|less than or equal to|less than) (\S+?)"
                    r"(?: and (less than or equal to|less than) (\S+?))?\.$")


def _number(text):
    """A whole-number limit as people read it ("1,000,000"); any other as the schema wrote it."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return formatting.number(value) if value.is_finite() and value == value.to_integral_value() else text


def _range(match, field):
    min_op, low, max_op, high = match.groups()
    name = field.name if field else _("the value")
    if min_op.startswith("less"):  # only an upper bound
        if float(low) >= INT_MAX:
            return _("%(name)s is too large.", name=name)
        if min_op == "less than or equal to":
            return _("%(name)s must be at most %(limit)s.", name=name, limit=_number(low))
        return _("%(name)s must be less than %(limit)s.", name=name, limit=_number(low))
    if high is not None and float(high) >= INT_MAX:
        high = None
    if high is None:
        if min_op == "greater than or equal to":
            if _number(low) == "0":
                return _("%(name)s cannot be negative.", name=name)
            return _("%(name)s must be at least %(limit)s.", name=name, limit=_number(low))
        return _("%(name)s must be more than %(limit)s.", name=name, limit=_number(low))
    low, high = _number(low), _number(high)
    if min_op == "greater than or equal to" and max_op == "less than or equal to":
        whole = field is not None and field.kind == "integer"
        if field is None:
            return _("Enter a number from %(low)s to %(high)s.", low=low, high=high)
        if whole:
            return _("Enter a whole number from %(low)s to %(high)s for %(name)s.", low=low, high=high, name=name)
        return _("Enter a number from %(low)s to %(high)s for %(name)s.", low=low, high=high, name=name)
    if min_op == "greater than or equal to":
        return _("%(name)s must be at least %(low)s and less than %(high)s.", name=name, low=low, high=high)
    if max_op == "less than or equal to":
        return _("%(name)s must be more than %(low)s and at most %(high)s.", name=name, low=low, high=high)
    return _("%(name)s must be more than %(low)s and less than %(high)s.", name=name, low=low, high=high)


def _cap(text):
    return text[:1].upper() + text[1:]


def human_message(message, field=None):
    """One validation message as a sentence for the person filling in the form, in their
    language. `field` (a `Field`) names what is wrong; messages already written for people pass
    through."""
    return _cap(_sentence(str(message).strip(), field))


def _sentence(message, field):
    name = field.name if field else _("this field")
    kind = field.kind if field else "text"
    if message in ("Missing data for required field.", "Field may not be null.", "Required."):
        if kind in ("choice", "file"):
            return _("Choose %(name)s.", name=name)
        return _("Enter %(name)s.", name=name)
    if message == "Not a valid integer.":
        return _("Enter %(name)s as a whole number, like 3.", name=name)
    if message in ("Not a valid number.", "Not a valid decimal.") or message.startswith("Special numeric values"):
        if kind == "money":
            return _("Enter %(name)s in figures, like 1250.50 (no thousands separators or currency sign).", name=name)
        if kind == "ratio":
            return _("Enter %(name)s as a number from 0 to 1, like 0.25.", name=name)
        return _("Enter %(name)s as a number, like 12.5.", name=name)
    if message == "Not a valid date.":
        return _("Enter %(name)s as a date, like 2026-12-31.", name=name)
    if message in ("Not a valid datetime.", "Give a date and time."):
        return _("Enter %(name)s as a date and a time.", name=name)
    if message.startswith("Must be one of:") or message.startswith("Not a known time zone"):
        return _("Choose %(name)s from the list.", name=name)
    if message in ("Not a valid string.", "Not a valid boolean.", "Invalid input type."):
        return _("Enter %(name)s again: what was sent is not text the form takes.", name=name)
    if message == "Unknown field.":
        return _("This field is not part of the form.")
    if message.startswith("Must not contain NUL"):
        return _("%(name)s contains characters that cannot be stored; type it again.", name=name)
    length = re.match(r"^(?:Longer than maximum length (\d+)|Length must be between (\d+) and (\d+))\.$", message)
    if length:
        least, most = length.group(2) or "0", length.group(1) or length.group(3)
        if int(least) > 1:
            return _("%(name)s must be from %(least)s to %(most)s characters long.", name=name, least=least, most=most)
        return _("%(name)s must be %(most)s characters or fewer.", name=name, most=most)
    shorter = re.match(r"^Shorter than minimum length (\d+)\.$", message)
    if shorter:
        return _("Enter %(name)s.", name=name) if shorter.group(1) == "1" else \
            _("%(name)s must be at least %(least)s characters.", name=name, least=shorter.group(1))
    match = _RANGE.match(message)
    if match:
        return _range(match, field)
    must = re.match(r"^Must be (.+)$", message)
    if must and field:
        return f"{_cap(name)} must be {must.group(1)}"
    return message


# -- creating once -----------------------------------------------------------------------------

ALREADY_SAVED = _l("Already saved: this form had been sent before, so nothing new was created.")


def create_once(form, act):
    """Run `act()` (it creates, flashes, and returns the URL to go to) and commit, at most once
    per form token: the token is claimed first, in the same transaction. A token already used
    redirects to where its first use went. A refusal (FormInvalid, or a service's Invalid or
    Conflict, which become the form's messages) raises FormInvalid with nothing written: the
    caller renders the form again."""
    claim = None
    if form.token:
        earlier = form_tokens.find(form.token)
        if earlier is not None:
            return _already_saved(earlier)
        try:
            claim = form_tokens.record(form.token, current_user.id)
        except IntegrityError:  # the same form, sent twice at once: the other one won
            rollback()
            return _already_saved(form_tokens.find(form.token))
    try:
        with transactional():  # the claim's transaction: claim and creation commit together
            try:
                url = act()
            except (Invalid, Conflict) as error:  # a rule of the domain refused it: shown on the form
                rollback()
                form.refuse(error)
            if claim is not None:
                claim.outcome_url = url
    except IntegrityError:
        earlier = form_tokens.find(form.token) if form.token else None
        if earlier is None:
            raise
        return _already_saved(earlier)
    return redirect(url)


def _already_saved(earlier):
    if earlier is None or earlier.user_id != current_user.id:
        raise Conflict(_("This form was already sent; reload the page to start again."))
    flash(str(ALREADY_SAVED), "info")
    return redirect(earlier.outcome_url or request.referrer or "/")


# -- changing ----------------------------------------------------------------------------------------

def save(form, act, render):
    """An editing form's POST: `act()` (it changes, flashes and returns the URL to go to) in one
    transaction, or `render(form, 422)` with the form's messages, nothing written."""
    try:
        with transactional():
            try:
                url = act()
            except (Invalid, Conflict) as error:  # a rule of the domain refused it: shown on the form
                rollback()
                form.refuse(error)
    except FormInvalid:
        return render(form, 422)
    return redirect(url)


def flash_refusal(error):
    """A refusal of a one-button form (move, remove, publish), said in plain sentences."""
    if not error.errors:
        flash(error.detail or _("That did not work."), "error")
        return
    sentences = [error.detail] if isinstance(error, Conflict) and error.detail else []
    for name, messages in error.errors.items():
        label = name.replace("_id", "").replace("_", " ").capitalize()
        messages = messages if isinstance(messages, list) else [messages]
        sentences += [human_message(m, Field(name, label)) for m in messages]
    flash(" ".join(sentences), "error")


def attempt(action, success, back):
    """A one-button form: `action()` in one transaction, then `success` (or, when that is empty,
    what `action` returns) flashed, or why it was refused, nothing written. Redirects to `back`."""
    try:
        with transactional():
            message = action()
        flash(success or message, "success")
    except (Invalid, Conflict) as error:
        flash_refusal(error)
    return redirect(back)


# -- confirming ----------------------------------------------------------------------------------

def confirmed():
    return request.method == "POST" and request.form.get("confirm") == "yes"


def ask_to_confirm(question, confirm_label, keep_url, *, detail=None, keep_label=None):
    """The confirmation page: `question`, a button `confirm_label` that sends this same request
    again with `confirm=yes` (the fields sent so far kept), and `keep_label` back to `keep_url`."""
    hidden = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirm")]
    keep_label = keep_label or _("Keep it")
    return render_template("confirm.html", question=question, detail=detail, confirm_label=confirm_label,
                           keep_url=keep_url, keep_label=keep_label, action=request.path, hidden=hidden), 200
