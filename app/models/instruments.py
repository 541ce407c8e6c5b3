"""Instrument versions as stored: the link between a response and the exact
questionnaire file it answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class InstrumentVersion(Base):
    """One version of one instrument file in ``surveys/instruments``."""

    repr_columns = ("code", "version")

    __tablename__ = "instrument_versions"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_instrument_versions_code_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    #: sha256 of the file; a later file with the same version but another
    #: checksum is refused, so old responses never change meaning
    checksum: Mapped[str] = mapped_column(String(64))
    #: the file's text as it was when registered, kept for the record
    source: Mapped[str] = mapped_column(Text)
    #: the question codes of ``responses.codes``, comma-separated
    #: (surveys.packing.packed_layout): stored so that packed answers can be
    #: read without the file
    packed_codes: Mapped[str] = mapped_column(Text, server_default="")
    #: whether new responses use this version
    active: Mapped[bool] = mapped_column(default=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
