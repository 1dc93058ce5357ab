"""Every model, imported once so the metadata (and alembic) sees the whole schema."""
from cxgov.ambassadors.models import Ambassador, AmbassadorAction  # noqa: F401
from cxgov.audit.models import AuditEntry  # noqa: F401
from cxgov.auth.models import ApiToken, EndedSession, PasswordSetLink, RememberToken  # noqa: F401
from cxgov.data_versions import DataVersion  # noqa: F401
from cxgov.form_tokens import FormSubmission  # noqa: F401
from cxgov.initiatives.models import (  # noqa: F401
    Baseline,
    BaselineCashFlow,
    BaselineImpact,
    CashFlow,
    Impact,
    Initiative,
    Review,
    Transition,
)
from cxgov.journeys.models import ImportJob, Journey, Measurement, Metric, Stage, Target, Touchpoint  # noqa: F401
from cxgov.notifications.models import Notification  # noqa: F401
from cxgov.org.models import Department, User  # noqa: F401
from cxgov.steering.models import (  # noqa: F401
    ActionItem,
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingSeries,
    MinutesCorrection,
)
