"""Checks that ids given by a client point at existing rows, reported by field name (422)."""
from flask_babel import gettext as _

from cxgov.errors import Invalid
from cxgov.extensions import db


def require_existing(model, ident, field):
    """The row of `model` with id `ident`, or Invalid naming `field`. None passes through."""
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    if obj is None:
        raise Invalid(_("%(field)s does not exist.", field=field),
                      errors={field: [_("No %(kind)s with id %(id)s.", kind=model.__name__.lower(), id=ident)]})
    return obj
