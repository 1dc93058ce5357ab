"""/api/audit: the audit trail, for admins and CX leaders."""
from flask_login import current_user
from marshmallow import fields
from sqlalchemy import select

from cxgov import policy
from cxgov.audit.models import AuditEntry
from cxgov.rest import Blueprint, Instant, ListArgs, Schema, filter_by, page_of, paginate

blp = Blueprint("api_audit", __name__, url_prefix="/api/audit", description="Who changed what, when.")


class AuditEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    actor_id = fields.Integer(dump_only=True, allow_none=True)
    action = fields.String(dump_only=True)
    entity = fields.String(dump_only=True)
    entity_id = fields.Integer(dump_only=True, allow_none=True)
    changes = fields.Dict(dump_only=True)
    created_at = Instant(dump_only=True)


class AuditArgs(ListArgs):
    entity = fields.String()
    entity_id = fields.Integer()
    actor_id = fields.Integer()
    action = fields.String()


@blp.route("")
@blp.arguments(AuditArgs, location="query")
@blp.response(200, page_of(AuditEntrySchema))
@blp.problems(401, 403, 422)
def list_audit(args):
    """The audit trail, newest first."""
    policy.require(policy.view_audit, current_user)
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    return paginate(filter_by(stmt, AuditEntry, args, ["entity", "entity_id", "actor_id", "action"]), args)

blueprints = [blp]
