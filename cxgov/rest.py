"""API conventions (SPEC §4) shared by every feature's `api.py`.

Pagination envelope, filters, ETag/If-Match, money as decimal strings, problem+json
documented on every operation.
"""
import functools
import re
from datetime import timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import flask_smorest
import marshmallow as ma
import orjson
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import bindparam, func, select
from werkzeug.routing import IntegerConverter

from cxgov import policy
from cxgov.errors import BadRequest, NotFound, PreconditionFailed
from cxgov.extensions import db

HUNDREDTH = Decimal("0.01")
CENT = HUNDREDTH  # the step of money
_JSON = "Content-Type: application/json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details; some problems carry extension members (e.g. `allowed`,
    `current_etag`)."""

    class Meta:
        unknown = ma.INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


def schema_name(schema):
    """OpenAPI component names: `DepartmentSchema` → `Department`, its partial form → `DepartmentPatch`."""
    name = resolver(schema)
    if isinstance(schema, ma.Schema) and schema.partial:
        name += "Patch"
    return name


class ProblemResponses(BasePlugin):
    """apispec plugin: each operation's problem+json responses, from the codes its view declares
    with `Blueprint.problems` (smorest hands the Flask rule to the plugins; the rule's endpoint
    names the view)."""

    def __init__(self):
        self.app = None

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        if rule is None:  # a path added by hand, not from a view
            return
        view = self.app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method, operation in operations.items():
            func = getattr(view_class, method, None) if view_class is not None else view
            responses = operation.setdefault("responses", {})
            for code in sorted(set(getattr(func, "problem_codes", ()))):
                responses[code] = {"description": _DESCRIPTIONS[code], "content": {
                    "application/problem+json": {"schema": schema_name(ProblemSchema)}}}


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        plugin = spec_kwargs.setdefault("marshmallow_plugin", MarshmallowPlugin(schema_name_resolver=schema_name))
        self.problem_responses = ProblemResponses()
        spec_kwargs["extra_plugins"] = (*spec_kwargs.get("extra_plugins", ()), self.problem_responses)
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)
        plugin.converter.add_attribute_function(decimal2properties)

    def init_app(self, app, *args, **kwargs):
        # Before any route is added: `<int:id>` beyond the database's integer answers 404.
        app.url_map.converters["int"] = IdConverter
        self.problem_responses.app = app
        super().init_app(app, *args, **kwargs)


INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the database's INTEGER (PostgreSQL int4)


class IdConverter(IntegerConverter):
    """`<int:…>` path segments: 0..INT_MAX, documented as such; larger ids do not exist."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _bounds(field):
    """The numeric bounds of a Decimal field exactly as it enforces them (apispec ignores
    `min_inclusive`/`max_inclusive`, prints Decimal bounds as strings and knows nothing of the
    rounding to `places` that happens before the checks), in OpenAPI 3.0 terms."""
    limit = getattr(field, "LIMIT", None)
    lower = [(-limit, False)] if limit is not None else []
    upper = [(limit, False)] if limit is not None else []
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            if validator.min is not None:
                lower.append((Decimal(validator.min), validator.min_inclusive))
            if validator.max is not None:
                upper.append((Decimal(validator.max), validator.max_inclusive))

    def accepted(value):
        rounded = value if field.places is None else value.quantize(field.places, rounding=field.rounding)
        return (all(rounded > b or (inclusive and rounded == b) for b, inclusive in lower)
                and all(rounded < b or (inclusive and rounded == b) for b, inclusive in upper))

    half = Decimal(0) if field.places is None else field.places / 2  # `places` is the quantum, e.g. 0.01
    bounds = {}
    if lower:
        value, inclusive = max(lower, key=lambda b: (b[0], not b[1]))
        edge = value - half if inclusive else value + half
        bounds["minimum"] = float(edge)
        if not accepted(edge) if half else not inclusive:
            bounds["exclusiveMinimum"] = True
    if upper:
        value, inclusive = min(upper, key=lambda b: (b[0], b[1]))
        edge = value + half if inclusive else value - half
        bounds["maximum"] = float(edge)
        if not accepted(edge) if half else not inclusive:
            bounds["exclusiveMaximum"] = True
    return bounds


def decimal2properties(converter, field, ret=None, **kwargs):
    """Document `MoneyField` and `Number` as they behave: exact bounds; money answers as a decimal
    string and takes a decimal string or a number."""
    if isinstance(field, fields.String) and storable_text in field.validators and "pattern" not in ret:
        ret["pattern"] = STORABLE_PATTERN
        return {}
    if not isinstance(field, fields.Decimal):
        return {}
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "x-minimum", "x-maximum"):
        ret.pop(key, None)
    number = {"type": "number", **_bounds(field)}
    if not isinstance(field, MoneyField):
        ret.update(number)
        return {}
    string = {"type": "string", "pattern": MONEY_PATTERN}
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    if ranges:
        # The one range money takes: more than zero (a cash flow's amount).
        assert [(v.min, v.min_inclusive, v.max) for v in ranges] == [(0, False, None)], field
        string["pattern"] = POSITIVE_MONEY_PATTERN
    ret.pop("type", None)
    ret.pop("format", None)
    if field.dump_only:
        ret.update(string)
    else:
        ret["anyOf"] = [string, number]
    return {}


class Blueprint(flask_smorest.Blueprint):
    """A smorest blueprint whose operations document their problem responses."""

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """A required JSON body must be there: a request without one (or not JSON) is a
        malformed request (400), not an empty object."""
        if location == "query":
            # SPEC §4: unknown fields are refused, in the query string as in the body.
            kwargs.setdefault("unknown", ma.RAISE)
        decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location in BODY_LOCATIONS:
            # Any body may be over its limit (`cxgov.limit_request_bodies`).
            decorator = _then(decorator, self.problems(413))
        if location != "json" or not required:
            return decorator

        def wrap(func):
            view = decorator(func)

            @functools.wraps(view)
            def require_body(*args, **kw):
                if not request.is_json or not request.get_data(cache=True):
                    raise BadRequest(_("Send the request body as JSON (%(header)s).", header=_JSON)
                                     if request.get_data(cache=True)
                                     else _("The request needs a JSON body (%(header)s).", header=_JSON))
                return view(*args, **kw)

            return self.problems(400)(require_body)

        return wrap

    def problems(self, *codes):
        """Document the problem+json answers `codes` of an operation. The codes are kept on the
        view (`problem_codes`, carried outwards by `functools.wraps`) and written into the
        description by `ProblemResponses`: no layer is added around the view."""
        def decorator(func):
            func.problem_codes = tuple(getattr(func, "problem_codes", ())) + codes
            return func

        return decorator


BODY_LOCATIONS = frozenset({"json", "form", "files"})


def _then(first, second):
    return lambda func: second(first(func))


def require_before_body(rule, message):
    """Decide `rule` for the caller before the request body is read: someone who may not send
    this body at all is refused (403) without it being received, let alone parsed. Put it above
    the operation's other decorators (smorest reads the body in `arguments`)."""
    def decorator(func):
        @functools.wraps(func)
        def checked(*args, **kwargs):
            policy.require(rule, current_user, message=message)
            return func(*args, **kwargs)

        return checked

    return decorator


_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict or illegal transition",
    412: "Stale If-Match",
    413: "Request body over the limit (`max_bytes`)",
    422: "Invalid fields",
    429: "Too many attempts: wait as long as Retry-After says",
    503: "Database busy: retry after the Retry-After seconds",
}


# -- fields ------------------------------------------------------------------------------------

MONEY_PATTERN = r"^-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
POSITIVE_MONEY_PATTERN = r"^([1-9][0-9]{0,11}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"
_MONEY_TEXT = re.compile(MONEY_PATTERN)


class MoneyField(fields.Decimal):
    """Money: input a decimal string (at most two places) or a number, output a decimal string
    with two places."""

    LIMIT = Decimal("1e12")

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("example", "1234.50")
        super().__init__(places=2, rounding=ROUND_HALF_UP, as_string=True, allow_nan=False, **kwargs)

    def _validated(self, value):
        if isinstance(value, str) and not _MONEY_TEXT.match(value):
            raise self.make_error("invalid")
        result = super()._validated(value)
        if result is not None and abs(result) >= self.LIMIT:
            raise self.make_error("invalid")
        return result


class Number(fields.Decimal):
    """A decimal quantity (KPI value, ratio) kept exact inside, returned as a JSON number."""

    LIMIT = Decimal("1e10")

    def __init__(self, places=4, **kwargs):
        super().__init__(places=places, rounding=ROUND_HALF_UP, allow_nan=False, **kwargs)

    def _validated(self, value):
        result = super()._validated(value)
        if result is not None and abs(result) >= self.LIMIT:
            raise self.make_error("invalid")
        return result

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        try:
            return float(Decimal(value))
        except (InvalidOperation, TypeError, ValueError):
            return None


class Instant(fields.AwareDateTime):
    """A timezone-aware instant; output in ISO 8601 with offset (UTC)."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:  # stored, compared and answered in UTC: 0001-01-01T00:00:00+01:00 has no UTC instant
            instant.astimezone(timezone.utc)
        except OverflowError:
            raise ma.ValidationError(_("Out of range: the instant has no UTC equivalent.")) from None
        return instant

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(timezone.utc).isoformat()


def choice_field(values, **kwargs):
    """A string field taking one of `values`."""
    return fields.String(validate=validate.OneOf(values), **kwargs)


# -- schemas -----------------------------------------------------------------------------------

_NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")
STORABLE_PATTERN = r"^[^\x00]*$"  # as the description says it (JSON Schema has no surrogates)


def storable_text(value):
    """Text the database can keep: PostgreSQL refuses NUL, UTF-8 has no lone surrogates."""
    if isinstance(value, str) and _NOT_STORABLE.search(value):
        raise ma.ValidationError("Must not contain NUL characters or unpaired surrogates.")


class StorableFields:
    """Every integer field fits the database's INTEGER and every text field is storable text:
    anything else is refused with 422 naming the field (integer bounds are also in the OpenAPI
    description), never a database error."""

    def on_bind_field(self, field_name, field_obj):
        if isinstance(field_obj, fields.Integer):
            ranges = [v for v in field_obj.validators if isinstance(v, validate.Range)]
            if not any(v.max is not None for v in ranges):
                field_obj.validators.append(validate.Range(max=INT_MAX))
            if not any(v.min is not None for v in ranges):
                field_obj.validators.append(validate.Range(min=INT_MIN))
        elif isinstance(field_obj, fields.String) and storable_text not in field_obj.validators:
            field_obj.validators.append(storable_text)
        super().on_bind_field(field_name, field_obj)


class Schema(StorableFields, ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


class ListArgs(StorableFields, ma.Schema):
    """Query string of every list: `?page=1&page_size=50` (max 200) plus field filters."""

    class Meta:
        unknown = ma.EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


_page_schemas = {}


def page_of(item_schema):
    """The pagination envelope `{"items", "total", "page", "page_size"}` around `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(name, (ma.Schema,), {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "page_size": fields.Integer(),
        })
    return _page_schemas[name]


def paginate(stmt, args):
    """Two queries whatever the size: the count and the page."""
    page, page_size = args["page"], args["page_size"]
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def filter_by(stmt, model, args, names):
    """Equality filters named after fields: `?status=approved&journey_id=3`."""
    for name in names:
        if args.get(name) is not None:
            stmt = stmt.where(getattr(model, name) == args[name])
    return stmt


# -- single resources ----------------------------------------------------------------------------

_BY_ID = {}


def _by_id(model):
    """`SELECT … WHERE id = :ident` of a model, built once (building it costs more than running it)."""
    stmt = _BY_ID.get(model)
    if stmt is None:
        stmt = _BY_ID[model] = select(model).where(model.id == bindparam("ident"))
    return stmt


def get_or_404(model, ident, *options):
    if ident is None:
        obj = None
    elif options:
        # The options apply even to an object the session already holds (re-read after a commit,
        # say): its relationships load as asked rather than lazily, which they refuse to.
        obj = db.session.execute(select(model).where(model.id == ident).options(*options)
                                 .execution_options(populate_existing=True)).scalar_one_or_none()
    else:
        obj = db.session.execute(_by_id(model), {"ident": ident}).scalar_one_or_none()
    if obj is None:
        raise NotFound(_("%(kind)s %(id)s does not exist.", kind=model.__name__, id=ident))
    return obj


def etag(obj):
    return f'"{obj.__tablename__}-{obj.id}-v{obj.version}"'


def check_if_match(obj):
    """Refuse with 412 when the client's `If-Match` no longer names the current version."""
    if_match = request.if_match
    if not if_match:
        return
    if if_match.star_tag:
        return
    if not if_match.contains(etag(obj).strip('"')):
        raise PreconditionFailed(
            _("The resource changed since you read it; fetch it again and reapply your change."),
            current_etag=etag(obj),
        )


def with_etag(obj, status=200):
    """A smorest return value carrying the resource's ETag."""
    return obj, status, {"ETag": etag(obj)}


def apply_changes(obj, data):
    """Set `data` on `obj`; return the fields that really changed."""
    changed = {}
    for key, value in data.items():
        if getattr(obj, key) != value:
            changed[key] = value
            setattr(obj, key, value)
    return changed


def hundredths(value):
    """A Decimal rounded to two places, as the API answers it (hours, for instance)."""
    return None if value is None else Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def json_bytes(data):
    """Plain data (str, int, float, bool, None, lists and dicts) encoded with orjson, for the large
    reports whose serialisation would otherwise dominate their time. Keys are sorted as
    everywhere else in the API. The caller formats values exactly as the operation's schema
    documents them."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def json_response(data, status=200):
    """A JSON response of plain data (`json_bytes`), or of its bytes already encoded."""
    body = data if isinstance(data, bytes) else json_bytes(data)
    return Response(body, status=status, mimetype="application/json")
