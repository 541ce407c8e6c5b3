"""What a command prints when a service refuses."""

from __future__ import annotations

from app.refusals import Refused
from app.texts import texts


def refused_message(exc: Refused) -> str:
    """The refusal in English: operators' terminals and logs are read by
    whoever deploys the system, and the commands' own messages are English."""
    return texts(exc.message_key, "en", **exc.values)
