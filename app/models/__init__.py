"""Database models, one module per aggregate."""

from app.models.accounts import ROLES, AuditEvent, LoginThrottle, User
from app.models.base import Base
from app.models.instruments import InstrumentVersion
from app.models.responses import CHANNELS, Answer, Response
from app.models.rollup import ClusterRollup, RollupDirty, RollupLayout
from app.models.surveyors import ApiToken, SurveyorAssignment
from app.models.targets import TARGET_KINDS, Target
from app.models.units import UNIT_LEVELS, RetiredQrToken, ServicePoint, Unit, new_qr_token

__all__ = [
    "CHANNELS",
    "ROLES",
    "TARGET_KINDS",
    "UNIT_LEVELS",
    "Answer",
    "ApiToken",
    "AuditEvent",
    "Base",
    "ClusterRollup",
    "InstrumentVersion",
    "LoginThrottle",
    "Response",
    "RetiredQrToken",
    "RollupDirty",
    "RollupLayout",
    "ServicePoint",
    "SurveyorAssignment",
    "Target",
    "Unit",
    "User",
    "new_qr_token",
]
