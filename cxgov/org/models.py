"""Departments and users."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import Timestamped, Versioned, choice_check, fk
from cxgov.extensions import db

ROLES = ("admin", "cx_leader", "executive", "member")
DIGEST_PREFERENCES = ("immediate", "daily")


class Department(Versioned, Timestamped, db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)

    def __repr__(self):
        return f"<Department {self.code}>"


class User(Versioned, Timestamped, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        choice_check("role", ROLES),
        choice_check("digest_preference", DIGEST_PREFERENCES),
        sa.CheckConstraint("language IS NULL OR language IN ('en', 'pt_PT', 'pt_BR', 'ro')", name="language_known"),
        # Emails are unique case-insensitively: they are stored lower-cased.
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16), default="member", index=True)
    department_id: Mapped[int | None] = fk("departments.id", ondelete="SET NULL")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    digest_preference: Mapped[str] = mapped_column(sa.String(16), default="immediate")
    last_login_at: Mapped[datetime | None]
    # Bumped when every credential of the user must end: password change, deactivation, role
    # change, signing out everywhere (see cxgov.auth.models).
    credential_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # What the person reads pages and mails in (cxgov.i18n.LANGUAGES) and the time zone instants
    # are shown in (an IANA name); None until chosen: the browser's, else the deployment's.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))

    department: Mapped[Department | None] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return str(self.id)

    def __repr__(self):
        return f"<User {self.email}>"
