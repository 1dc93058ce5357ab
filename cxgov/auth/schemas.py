from marshmallow import fields, validate

from cxgov.rest import Instant, Schema


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class TokenSchema(Schema):
    token = fields.String(dump_only=True)
    expires_at = Instant(dump_only=True)
