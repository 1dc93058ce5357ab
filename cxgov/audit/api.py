"""/api/audit: the audit trail, for admins and CX leaders."""
from marshmallow import fields

from cxgov import policy
from cxgov.audit.models import AuditEntry
from cxgov.resources import Resource
from cxgov.rest import Blueprint, Instant, ListArgs, Schema

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


Resource(
    blp, model=AuditEntry, schema=AuditEntrySchema, args=AuditArgs, list_guard=policy.view_audit,
    order_by=(AuditEntry.id.desc(),), filters=("entity", "entity_id", "actor_id", "action"), names=("AuditTrail", None),
    docs={"list": "The audit trail, newest first."},
)

blueprints = [blp]
