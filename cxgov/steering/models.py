"""Steering committee, its meetings (agenda, attendance, decisions, minutes) and action items."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import Timestamped, Versioned, choice_check, collection, fk, utcnow
from cxgov.extensions import db
from cxgov.org.models import Department, User

MEMBER_ROLES = ("chair", "secretary", "member", "sponsor")
MEETING_STATUSES = ("scheduled", "held", "cancelled")
AGENDA_KINDS = ("initiative_review", "journey_review", "decision", "information")
ATTENDANCE_STATUSES = ("invited", "accepted", "declined", "attended", "absent")
DECISION_KINDS = ("approve_initiative", "reject_initiative", "rebaseline_initiative", "other")
ACTION_ITEM_STATUSES = ("open", "done", "cancelled")
# A committee's standing agenda: each section but `fixed` is filled from one source of what is due
# before a meeting (cxgov/steering/standing.py); a `fixed` section is one item titled like it.
SECTION_SOURCES = ("initiatives_ready", "reviews_due", "carried_over", "kpis_wrong_way", "silent_ambassadors")
SECTION_KINDS = (*SECTION_SOURCES, "fixed")


def default_quorum(member_count):
    """More than half the members (none to count without members)."""
    return member_count // 2 + 1 if member_count else 0


class Committee(Versioned, Timestamped, db.Model):
    __tablename__ = "committees"
    __table_args__ = (sa.CheckConstraint("quorum IS NULL OR quorum > 0", name="quorum_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    charter: Mapped[str | None] = mapped_column(sa.Text)
    chair_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    # How many members must attend for a meeting to be held; null: more than half the members.
    quorum: Mapped[int | None]

    chair: Mapped[User | None] = relationship()
    members: Mapped[list["CommitteeMember"]] = collection(
        back_populates="committee", cascade="all, delete-orphan", order_by="CommitteeMember.id"
    )

    @property
    def effective_quorum(self):
        """The quorum that applies (members must be loaded)."""
        return self.quorum if self.quorum is not None else default_quorum(len(self.members))


class CommitteeMember(Versioned, db.Model):
    __tablename__ = "committee_members"
    __table_args__ = (
        sa.UniqueConstraint("committee_id", "user_id"),
        choice_check("member_role", MEMBER_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = fk("committees.id", ondelete="CASCADE", nullable=False)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    department_id: Mapped[int | None] = fk("departments.id", ondelete="SET NULL")
    member_role: Mapped[str] = mapped_column(sa.String(16), default="member")

    committee: Mapped[Committee] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
    # The department the member sits for on the committee (whom they represent at its meetings).
    department: Mapped[Department | None] = relationship()


class CommitteeSection(Versioned, db.Model):
    """A standing section of a committee's agenda, in `position` order (0..n-1)."""

    __tablename__ = "committee_sections"
    __table_args__ = (
        choice_check("kind", SECTION_KINDS),
        sa.CheckConstraint("position >= 0", name="position_nonnegative"),
        sa.UniqueConstraint("committee_id", "position"),
        # Each source at most once per committee (fixed sections as many as wanted).
        sa.Index("uq_committee_sections_source", "committee_id", "kind", unique=True,
                 sqlite_where=sa.text("kind <> 'fixed'"), postgresql_where=sa.text("kind <> 'fixed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = fk("committees.id", ondelete="CASCADE", nullable=False, index=False)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(24))


class MeetingSeries(Versioned, Timestamped, db.Model):
    """Meetings of a committee on a rhythm: an RFC 5545 RRULE from `first_starts_at` (SPEC §9)."""

    __tablename__ = "meeting_series"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("ics_sequence >= 0", name="ics_sequence_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = fk("committees.id", ondelete="CASCADE", nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200))
    rrule: Mapped[str] = mapped_column(sa.String(500))
    first_starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str | None] = mapped_column(sa.String(200))
    ics_uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    ics_sequence: Mapped[int] = mapped_column(default=0)

    committee: Mapped[Committee] = relationship()


class Meeting(Versioned, Timestamped, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        choice_check("status", MEETING_STATUSES),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("ics_sequence >= 0", name="ics_sequence_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = fk("committees.id", ondelete="CASCADE", nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default="scheduled", index=True)
    minutes: Mapped[str | None] = mapped_column(sa.Text)
    minutes_published_at: Mapped[datetime | None]
    # Why the meeting was held although fewer members than the quorum attended.
    quorum_note: Mapped[str | None] = mapped_column(sa.Text)
    # iCalendar: a stable UID and a SEQUENCE raised each time the invite is re-issued.
    ics_uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    ics_sequence: Mapped[int] = mapped_column(default=0)
    # A meeting of a series: the occurrence of the rule it is (RECURRENCE-ID in the invite), and
    # whether it was changed on its own (then changes of the series pass it by).
    series_id: Mapped[int | None] = fk("meeting_series.id", ondelete="SET NULL")
    occurrence_at: Mapped[datetime | None]
    series_detached: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    committee: Mapped[Committee] = relationship()
    agenda_items: Mapped[list["AgendaItem"]] = collection(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    attendance: Mapped[list["Attendance"]] = collection(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    decisions: Mapped[list["Decision"]] = collection(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Decision.id"
    )


class MinutesCorrection(db.Model):
    """A correction to published minutes: the published text itself never changes."""

    __tablename__ = "minutes_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = fk("meetings.id", ondelete="CASCADE", nullable=False)
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaItem(Versioned, db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        choice_check("kind", AGENDA_KINDS),
        sa.CheckConstraint("position >= 0", name="position_nonnegative"),
        sa.CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"),
        # Suggested items carry the key of what suggested them, so nothing is added twice.
        sa.UniqueConstraint("meeting_id", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = fk("meetings.id", ondelete="CASCADE", nullable=False)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(24), default="information")
    initiative_id: Mapped[int | None] = fk("initiatives.id", ondelete="SET NULL")
    journey_id: Mapped[int | None] = fk("journeys.id", ondelete="SET NULL")
    presenter_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    duration_minutes: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)
    source_key: Mapped[str | None] = mapped_column(sa.String(64))
    # The committee's standing section it was filled under (grouped under it on the meeting page).
    section_id: Mapped[int | None] = fk("committee_sections.id", ondelete="SET NULL")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")


class Attendance(Versioned, db.Model):
    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id"),
        choice_check("status", ATTENDANCE_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = fk("meetings.id", ondelete="CASCADE", nullable=False)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="invited")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()


class Decision(Versioned, db.Model):
    __tablename__ = "decisions"
    __table_args__ = (
        choice_check("kind", DECISION_KINDS),
        sa.CheckConstraint(
            "kind = 'other' OR initiative_id IS NOT NULL", name="initiative_required_for_approval"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = fk("meetings.id", ondelete="CASCADE", nullable=False)
    text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(24), default="other")
    initiative_id: Mapped[int | None] = fk("initiatives.id", ondelete="SET NULL")
    # The agenda item of the same meeting the decision came from (SPEC §9).
    agenda_item_id: Mapped[int | None] = fk("agenda_items.id", ondelete="SET NULL")
    # A correction of a published decision references the decision it corrects.
    corrects_id: Mapped[int | None] = fk("decisions.id", ondelete="SET NULL")
    recorded_by_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")


class ActionItem(Versioned, Timestamped, db.Model):
    __tablename__ = "action_items"
    __table_args__ = (
        choice_check("status", ACTION_ITEM_STATUSES),
        sa.CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="completed_at_when_done"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int] = fk("users.id", ondelete="RESTRICT", nullable=False)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    meeting_id: Mapped[int | None] = fk("meetings.id", ondelete="SET NULL")
    initiative_id: Mapped[int | None] = fk("initiatives.id", ondelete="SET NULL")
    department_id: Mapped[int | None] = fk("departments.id", ondelete="SET NULL")
    # The agenda item of its meeting the action item came from (SPEC §9).
    agenda_item_id: Mapped[int | None] = fk("agenda_items.id", ondelete="SET NULL")
    completed_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()


class MeetingPack(db.Model):
    """A pre-read pack as the meeting reminders sent it (SPEC §9): the full pack, as
    `GET /api/meetings/{id}/pack` serializes it for a reader who sees every figure, and its PDF.
    Every send is kept; the latest is "the pack as sent". Readers get it redacted (steering.pack)."""
    __tablename__ = "meeting_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = fk("meetings.id", ondelete="CASCADE", nullable=False)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[dict] = mapped_column(sa.JSON)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
