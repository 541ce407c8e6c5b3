"""What a command prints when a service refuses."""

from __future__ import annotations

from app.i18n import MESSAGES
from app.refusals import Refused


def refused_message(exc: Refused) -> str:
    """The refusal in English: operators' terminals and logs are read by
    whoever deploys the system, and the commands' own messages are English."""
    return MESSAGES[exc.message_key][1].format(**exc.values)
