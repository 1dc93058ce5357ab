from marshmallow import fields

from cxgov.rest import Instant, ListArgs, Schema


class NotificationSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True)
    subject = fields.String(dump_only=True)
    body = fields.String(dump_only=True)
    entity = fields.String(dump_only=True, allow_none=True)
    entity_id = fields.Integer(dump_only=True, allow_none=True)
    dedupe_key = fields.String(dump_only=True)
    created_at = Instant(dump_only=True)
    sent_at = Instant(dump_only=True, allow_none=True,
                      metadata={"description": "When it was mailed; null while in-app only or pending."})
    read_at = Instant(dump_only=True, allow_none=True)


class FailedNotificationSchema(NotificationSchema):
    """A notification whose mail failed for good, as admins see it."""

    user_id = fields.Integer(dump_only=True)
    attempts = fields.Integer(dump_only=True)
    last_error = fields.String(dump_only=True, allow_none=True,
                               metadata={"description": "The last failure: the exception and the mail server's "
                                                        "answer."})
    failed_at = Instant(dump_only=True, metadata={"description": "When it was given up."})


class NotificationArgs(ListArgs):
    unread = fields.Boolean(metadata={"description": "true: only unread; false: only read."})
    kind = fields.String()


class ReadAllSchema(Schema):
    updated = fields.Integer(dump_only=True, metadata={"description": "How many were marked read."})
