"""Declared REST resources: the one shape of a collection and its items (STYLE §11).

Every collection/item pair of the API does the same five things — load, decide, check
`If-Match`, act, answer — so a feature declares only what differs::

    Resource(
        departments, model=Department, schema=DepartmentSchema, args=DepartmentArgs,
        item="<int:department_id>", order_by=(Department.name,), filters=("code",),
        guard=policy.manage_org, create=services.create_department,
        update=services.update_department, delete=services.delete_department,
        conflicts=("create", "update", "delete"),
        docs={"list": "List departments.", "create": "Create a department.", ...},
    )

What every declared operation gets, in this order:
1. the object by its URL id (404), checked to belong to its parent (404 otherwise);
2. the `guard` rule through `policy.require` (403), before anything else about the request:
   a forbidden caller with a stale `If-Match` gets 403, not 412;
3. `If-Match` against the object's version (412);
4. the service, inside the one `transactional` boundary (commit after success, rollback on
   any exception);
5. the answer with its `ETag` (records without a version have none); collections, sub-collections
   included, answer the SPEC §4 envelope `{"items", "total", "page", "page_size"}`.

The problem responses each operation documents follow from the declaration (a parent adds
404, `conflicts` adds 409), so the OpenAPI cannot drift from the behaviour.

Operations that are not plain CRUD (a transition, a publication, an import) stay hand-written
views, built from the same parts: `item()`, `guarded()`, `check_if_match`, `transactional`.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cxgov import policy
from cxgov.errors import NotFound
from cxgov.rest import ListArgs, check_if_match, filter_by, get_or_404, page_of, paginate, with_etag
from cxgov.transaction import transactional

__all__ = ["Parent", "Resource", "guarded", "item", "transactional"]


@dataclass(frozen=True)
class Parent:
    """The resource a sub-collection hangs under: `/api/journeys/<journey_id>/stages`.

    `key` is the child's column naming the parent (`journey_id`); `of(child)` answers the
    parent id of a child where it is not a column of its own (a touchpoint's journey is its
    stage's). With `of`, `key` may be the column that names the parent in another table
    (`Stage.journey_id`), which the resource's `query` joins: its list keeps the parent's children."""

    model: Any
    url_key: str
    key: str | None = None
    of: Callable | None = None
    options: tuple = ()

    def id_of(self, child):
        return self.of(child) if self.of is not None else getattr(child, self.key or self.url_key)

    def column(self, model):
        """The column a list of `model` under this parent is filtered on."""
        key = self.key or self.url_key
        return getattr(model, key) if isinstance(key, str) else key

    def load(self, ident):
        return get_or_404(self.model, ident, *self.options)


def item(model, ident, *options, parent=None, parent_id=None):
    """The object `ident` of `model`; with a parent, one that belongs to it (404 otherwise,
    naming the parent as the client addressed it)."""
    obj = get_or_404(model, ident, *options)
    if parent is not None and parent.id_of(obj) != parent_id:
        raise NotFound(_("%(parent)s %(parent_id)s has no %(kind)s %(id)s.", parent=parent.model.__name__,
                         parent_id=parent_id, kind=model.__name__.lower(), id=ident))
    return obj


def guarded(rule, obj=None, message=None):
    """Decide `rule` (a `cxgov.policy` rule) for the signed-in user; 403 when refused."""
    policy.require(rule, current_user, obj, message=message)
    return obj


_ANSWERS = {"list": 200, "create": 201, "read": 200, "update": 200, "delete": 204}


@dataclass
class Resource:
    """A collection (`list`, `create`) and its items (`read`, `update`, `delete`) of `model` on
    the smorest blueprint `blp`; an operation exists when its docs entry is given (and, for
    writes, its service).

    - `path` is the collection's rule inside the blueprint ("" or "/<int:journey_id>/stages");
      `item` the item's segment after it ("<int:stage_id>").
    - `options` are loader options for every object answered (a committee with its members);
      `answer(obj)` re-reads an object for the answer when options are not enough. A list may
      answer a shorter form: `list_schema` for its items (journeys listed without their
      stages), `list_options` for their loading (default: `options`, none with a `list_schema`).
    - `guard` decides update and delete on the object (before If-Match), `delete_guard` delete
      where it is another rule; `create_guard` decides create on the parent (or None);
      `read_guard` decides list on the parent and read on the object, for what not everyone
      signed in reads (an initiative's business case). `decide_on(obj)` is what the item guards
      decide on where it is not the object itself (a cash flow → its initiative); `refused` the
      403's detail. `list_guard` decides list alone (on the parent, or None), for a collection
      only some may read (the audit trail). Services keep their own checks of the rules that
      depend on the data sent.
    - `update_guard(actor, obj, data)` decides update instead of `guard` where what a caller may
      change depends on the fields sent (an action item's owner changes its status only); it
      raises Forbidden, before If-Match like `guard`.
    - `prepare(objects)` sets computed fields on the objects answered, a page's all at once
      (an impact's measured value: one query for the page).
    - `hand_written` = (collection view, item view): MethodView classes whose hand-written
      operations share the collection's or the item's URL (a transition's POST beside the
      initiative's history).
    - `create(actor, data)` or, under a parent, `create(actor, parent, data)`;
      `update(actor, obj, data)`; `delete(actor, obj)`.
    """

    blp: Any
    model: Any
    schema: Any
    docs: dict
    path: str = ""
    item: str | None = None
    parent: Parent | None = None
    args: Any = ListArgs
    order_by: tuple = ()
    filters: tuple = ()
    query: Callable | None = None
    options: tuple = ()
    answer: Callable | None = None
    response_schema: Any = None
    list_schema: Any = None
    list_options: tuple | None = None
    update_schema: Any = None
    guard: Callable | None = None
    update_guard: Callable | None = None
    delete_guard: Callable | None = None
    create_guard: Callable | None = None
    read_guard: Callable | None = None
    list_guard: Callable | None = None
    decide_on: Callable | None = None
    refused: str | None = None
    prepare: Callable | None = None
    create: Callable | None = None
    update: Callable | None = None
    delete: Callable | None = None
    conflicts: tuple = ()
    names: tuple = (None, None)
    hand_written: tuple = (None, None)
    extra_problems: dict = field(default_factory=dict)

    def __post_init__(self):
        self.response_schema = self.response_schema or self.schema
        self.update_schema = self.update_schema or self.schema(partial=True)
        collection = {op: self._operation(op) for op in ("list", "create") if op in self.docs}
        if collection:
            self._register(self.path or "", collection, self.names[0], self.hand_written[0])
        items = {op: self._operation(op) for op in ("read", "update", "delete") if op in self.docs}
        if items:
            assert self.item, "an item operation needs the item's URL segment"
            self._register(f"{self.path}/{self.item}", items, self.names[1], self.hand_written[1])

    # -- what each operation does --------------------------------------------------------------

    def _parent(self, ids):
        return None if self.parent is None else self.parent.load(ids[self.parent.url_key])

    def _item(self, ids, *options):
        ident = ids[self.item.rsplit(":", 1)[-1].rstrip(">")]
        parent_id = ids.get(self.parent.url_key) if self.parent else None
        return item(self.model, ident, *options, parent=self.parent, parent_id=parent_id)

    def _guard(self, rule, obj):
        if rule is not None:
            guarded(rule, obj if self.decide_on is None else self.decide_on(obj), self.refused)

    def _prepared(self, objects):
        if self.prepare is not None:
            self.prepare(objects)
        return objects

    def _answer(self, obj, status=200):
        if self.answer is not None:
            obj = self.answer(obj)
        elif self.options:
            obj = get_or_404(self.model, obj.id, *self.options)
        self._prepared([obj])
        # A record without a version (a minutes correction: never changed) has no ETag.
        return with_etag(obj, status) if hasattr(obj, "version") else (obj, status)

    def _list(self, args, **ids):
        parent = self._parent(ids)
        for rule in (self.list_guard, self.read_guard):
            if rule is not None:
                guarded(rule, parent, self.refused)
        stmt = select(self.model) if self.query is None else self.query(args)
        if parent is not None:
            stmt = stmt.where(self.parent.column(self.model) == parent.id)
        stmt = filter_by(stmt, self.model, args, self.filters)
        options = self.list_options
        if options is None:
            options = () if self.list_schema is not None else self.options
        if options:
            stmt = stmt.options(*options)
        page = paginate(stmt.order_by(*self.order_by), args)
        self._prepared(page["items"])
        return page

    def _create(self, data, **ids):
        with transactional():
            if self.parent is not None:
                parent = self._parent(ids)
                if self.create_guard is not None:
                    guarded(self.create_guard, parent, self.refused)
                obj = self.create(current_user, parent, data)
            else:
                if self.create_guard is not None:
                    guarded(self.create_guard, None, self.refused)
                obj = self.create(current_user, data)
        return self._answer(obj, 201)

    def _read(self, **ids):
        obj = self._item(ids, *self.options)
        self._guard(self.read_guard, obj)
        return with_etag(self._prepared([obj])[0])

    def _update(self, data, **ids):
        with transactional():
            obj = self._item(ids)
            if self.update_guard is not None:
                self.update_guard(current_user, obj, data)
            else:
                self._guard(self.guard, obj)
            check_if_match(obj)
            self.update(current_user, obj, data)
        return self._answer(obj)

    def _delete(self, **ids):
        with transactional():
            obj = self._item(ids)
            self._guard(self.delete_guard or self.guard, obj)
            check_if_match(obj)
            self.delete(current_user, obj)

    # -- how it is documented and routed -------------------------------------------------------

    def _problems(self, op):
        under = (404,) if self.parent is not None else ()
        conflict = (409,) if op in self.conflicts else ()
        refused = (403,) if self.read_guard is not None else ()
        listed = (403,) if self.list_guard is not None else ()
        codes = {
            "list": (401, 422) + under + refused + listed,
            "create": (400, 401, 403, 422) + under + conflict,
            "read": (401, 404) + refused,
            "update": (400, 401, 403, 404, 412, 422) + conflict,
            "delete": (401, 403, 404, 412) + conflict,
        }[op] + tuple(self.extra_problems.get(op, ()))
        return sorted(set(codes))

    def _operation(self, op):
        blp = self.blp
        act = getattr(self, f"_{op}")

        if op in ("list", "create", "update"):
            def view(self_, data, **ids):
                return act(data, **ids)
        else:
            def view(self_, **ids):
                return act(**ids)
        view.__name__ = {"list": "get", "create": "post", "read": "get", "update": "patch", "delete": "delete"}[op]
        view.__doc__ = self.docs[op]

        decorated = blp.problems(*self._problems(op))(view)
        if op == "delete":
            decorated = blp.response(204)(decorated)
        else:
            schema = page_of(self.list_schema or self.response_schema) if op == "list" else self.response_schema
            decorated = blp.response(_ANSWERS[op], schema)(decorated)
        if op == "list":
            decorated = blp.arguments(self.args, location="query")(decorated)
        elif op == "create":
            decorated = blp.arguments(self.schema)(decorated)
        elif op == "update":
            decorated = blp.arguments(self.update_schema)(decorated)
        return view.__name__, decorated

    def _register(self, rule, operations, name, hand_written=None):
        methods = dict(operations.values())
        name = name or f"{self.model.__name__}{'s' if rule == (self.path or '') else 'ById'}"
        self.blp.route(rule)(type(name, (hand_written or MethodView,), methods))
