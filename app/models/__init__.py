"""Database models, one module per aggregate."""

from app.models.accounts import ROLES, AuditEvent, LoginThrottle, User
from app.models.base import Base
from app.models.dossiers import COUNT_SOURCES, DossierCount, RegisteredDossier, UsedDossier
from app.models.instruments import InstrumentVersion
from app.models.responses import CHANNELS, DOSSIER_RATINGS, Answer, Response
from app.models.rollup import ClusterRollup, CounterDayCount, MonthMomentsRow, RollupDirty, RollupLayout
from app.models.surveyors import ApiToken, SurveyorAssignment
from app.models.targets import TARGET_KINDS, Target
from app.models.units import UNIT_LEVELS, RetiredQrToken, ServicePoint, Unit, new_qr_token

__all__ = [
    "CHANNELS",
    "COUNT_SOURCES",
    "DOSSIER_RATINGS",
    "ROLES",
    "TARGET_KINDS",
    "UNIT_LEVELS",
    "Answer",
    "ApiToken",
    "AuditEvent",
    "Base",
    "ClusterRollup",
    "CounterDayCount",
    "DossierCount",
    "InstrumentVersion",
    "LoginThrottle",
    "MonthMomentsRow",
    "RegisteredDossier",
    "Response",
    "RetiredQrToken",
    "RollupDirty",
    "RollupLayout",
    "ServicePoint",
    "SurveyorAssignment",
    "Target",
    "Unit",
    "UsedDossier",
    "User",
    "new_qr_token",
]
