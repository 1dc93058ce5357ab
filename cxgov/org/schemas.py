from marshmallow import fields, validate

from cxgov.i18n import LANGUAGES, time_zones
from cxgov.org.models import DIGEST_PREFERENCES, ROLES
from cxgov.org.passwords import validate_password
from cxgov.rest import Instant, ListArgs, Schema, choice_field

PASSWORD_RULE = "At least 12 characters, not only spaces, not a common password."
UNKNOWN_TIMEZONE = "Not a known time zone: give an IANA name, like Europe/Lisbon."


def language_field(**kwargs):
    return fields.String(validate=validate.OneOf(list(LANGUAGES)), allow_none=True, metadata={
        "description": "The language pages and mails are written in: one of " + ", ".join(LANGUAGES)
                       + "; null: the browser's (Accept-Language), else the deployment's."}, **kwargs)


def timezone_field(**kwargs):
    zones = validate.OneOf(sorted(time_zones()), error=UNKNOWN_TIMEZONE)
    return fields.String(validate=zones, allow_none=True, metadata={
        "description": "The IANA time zone dates and times are shown in (pages and mails), like "
                       "Europe/Lisbon; null: the deployment's."}, **kwargs)


class DepartmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    code = fields.String(required=True, validate=[
        validate.Length(min=1, max=16), validate.Regexp(r"^[A-Za-z0-9_-]+$", error="Letters, digits, - and _ only.")])
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class UserRefSchema(Schema):
    """A user as other resources embed them."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)


class DepartmentArgs(ListArgs):
    code = fields.String()


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    # The pattern says in the OpenAPI description what the email check accepts beyond its format.
    email = fields.Email(required=True, validate=[validate.Length(max=254), validate.Regexp(
        r"^[^@\s]+@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]*[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$",
        error="Not a valid email address.")])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    role = choice_field(ROLES, load_default="member")
    department_id = fields.Integer(allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)
    digest_preference = choice_field(DIGEST_PREFERENCES, load_default="immediate")
    password = fields.String(load_only=True, required=True,
                             validate=[validate.Length(min=12, max=1024), validate_password],
                             metadata={"description": PASSWORD_RULE})
    language = language_field(dump_only=True)
    timezone = timezone_field(dump_only=True)
    created_at = Instant(dump_only=True)
    last_login_at = Instant(dump_only=True, allow_none=True)


class MeUpdateSchema(Schema):
    """What a user may change of their own account."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    digest_preference = choice_field(DIGEST_PREFERENCES)
    password = fields.String(load_only=True, validate=[validate.Length(min=12, max=1024), validate_password],
                             metadata={"description": PASSWORD_RULE})
    current_password = fields.String(load_only=True, validate=validate.Length(max=1024))
    language = language_field()
    timezone = timezone_field()


class UserArgs(ListArgs):
    role = choice_field(ROLES)
    department_id = fields.Integer()
    active = fields.Boolean()
