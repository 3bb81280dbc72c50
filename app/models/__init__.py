"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""
from app.models.access import DossierAccess
from app.models.audit import AdminAuditEntry
from app.models.calendar import CalendarDay, CalendarSwap
from app.models.catalogue import Procedure, ProcedureOffering, ProcedureSnapshot, ProcedureVersion
from app.models.dossiers import (
                                 Apology,
                                 Counter,
                                 Dossier,
                                 DossierEvent,
                                 DossierFile,
                                 IssuedDocument,
                                 OutboxMessage,
                                 Payment,
                                 PaymentOrder,
                                 Rating,
                                 StepTask,
)
from app.models.feedback import Feedback, FeedbackEvent, PendingFeedback
from app.models.reports import RenderedReport
from app.models.rollup import StatsPeriod, StatsRollup
from app.models.signing import DocumentSignature, SigningCertificate
from app.models.store import StoredPaper
from app.models.sync import DossierSync
from app.models.units import AdministrativeUnit, Agency
from app.models.users import ApiToken, LoginSession, Membership, User
from app.models.versions import ReferenceVersion
from app.models.zalo import ZaloToken

__all__ = [
    "AdminAuditEntry", "DossierAccess", "Feedback", "FeedbackEvent", "PendingFeedback",
    "Apology", "Counter", "Dossier", "DossierEvent", "DossierFile", "IssuedDocument", "OutboxMessage", "Payment",
    "PaymentOrder", "Rating", "StepTask", "RenderedReport", "StatsPeriod", "StatsRollup",
    "DocumentSignature", "SigningCertificate", "StoredPaper", "DossierSync",
    "AdministrativeUnit", "Agency", "CalendarDay", "CalendarSwap", "Membership", "Procedure", "ProcedureOffering",
    "ProcedureSnapshot", "ProcedureVersion", "ReferenceVersion",
    "User", "ApiToken", "ZaloToken", "LoginSession"]
