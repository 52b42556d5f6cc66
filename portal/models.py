"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from portal.accounts.models import User, UserRole  # noqa: F401
from portal.accounts.sessions import StaffSession  # noqa: F401
from portal.agents.models import AgentMatter, DepartmentRating, MatterEvent, MatterFile, OfficeMessage  # noqa: F401
from portal.audit.models import AuditLog  # noqa: F401
from portal.cases.models import (
    ChecklistTemplate,  # noqa: F401
)
from portal.cases.search import CaseTerm  # noqa: F401
from portal.cases.supervision import HandlingRound, Supervision  # noqa: F401
from portal.deadlines.models import CalendarOverride  # noqa: F401
from portal.documents.models import Delivery, Document  # noqa: F401
from portal.duty.models import DutySlot, SpecialPeriod, SwapRequest  # noqa: F401
from portal.notifications.models import MessageText, SmsOptOut  # noqa: F401
from portal.numbering import NumberSequence  # noqa: F401
from portal.org.models import Department  # noqa: F401
from portal.reception.models import ReceptionCorrection, ReceptionEntry, ReceptionLog  # noqa: F401
from portal.reports.models import PublishedReport  # noqa: F401
from portal.screening.models import DailyReport, Dispute, WeeklyReport  # noqa: F401
from portal.security.stash import FormStash  # noqa: F401
from portal.settings.models import Setting  # noqa: F401
from portal.sms.models import SmsMessage  # noqa: F401
from portal.stats.kept import CaseCount  # noqa: F401
