"""Register instrument files in the database and find the active version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import InstrumentVersion
from surveys import INSTRUMENTS_DIR, Instrument, load_all, packed_layout


class InstrumentChanged(RuntimeError):
    """A published instrument file was edited instead of given a new version."""


@dataclass(frozen=True)
class ActiveInstrument:
    """An instrument definition together with its database row id."""

    version_id: int
    instrument: Instrument


def instruments_sync(session: Session, directory: Path = INSTRUMENTS_DIR) -> list[str]:
    """Register every instrument file not yet in the database.

    Returns the keys registered. A newer version of a code becomes the active
    one; older versions stay for the responses that answered them.

    Raises
    ------
    InstrumentChanged
        If a file's checksum differs from the registered file of the same
        code and version.
    """
    added: list[str] = []
    files = load_all(directory)
    rows = {(r.code, r.version): r for r in session.scalars(select(InstrumentVersion))}
    for key, instrument in sorted(files.items(), key=lambda kv: (kv[1].code, kv[1].version)):
        row = rows.get((instrument.code, instrument.version))
        if row is not None:
            if row.checksum != instrument.checksum:
                raise InstrumentChanged(
                    f"{key}: the file differs from the version registered on {row.registered_at:%Y-%m-%d}. "
                    "A published instrument must not change; save the change as a new version."
                )
            continue
        for other in rows.values():
            if other.code == instrument.code and other.version < instrument.version:
                other.active = False
        source = (directory / f"{instrument.key}.yaml").read_text(encoding="utf-8")
        row = InstrumentVersion(
            code=instrument.code,
            version=instrument.version,
            title=instrument.title.vi,
            checksum=instrument.checksum,
            source=source,
            packed_codes=",".join(packed_layout(instrument)),
            active=not any(c == instrument.code and v > instrument.version for c, v in rows),
        )
        session.add(row)
        rows[(instrument.code, instrument.version)] = row
        added.append(key)
    session.flush()
    return added


def instrument_active(session: Session, registry: dict[str, Instrument], code: str) -> ActiveInstrument | None:
    """The active version of instrument ``code``, or None if none is registered."""
    row = session.execute(
        select(InstrumentVersion.id, InstrumentVersion.version)
        .where(InstrumentVersion.code == code, InstrumentVersion.active.is_(True))
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    instrument = registry.get(f"{code}.v{row.version}")
    if instrument is None:
        return None
    return ActiveInstrument(row.id, instrument)


def instrument_version(
    session: Session, registry: dict[str, Instrument], code: str, version: int
) -> ActiveInstrument | None:
    """Version ``version`` of instrument ``code`` if it is registered, active or not.

    A tablet that ran an interview offline with a version replaced since
    sends it later; it is stored against the version it was run with.
    """
    version_id = session.scalar(
        select(InstrumentVersion.id).where(InstrumentVersion.code == code, InstrumentVersion.version == version)
    )
    instrument = registry.get(f"{code}.v{version}")
    if version_id is None or instrument is None:
        return None
    return ActiveInstrument(version_id, instrument)


def versions_before(registry: dict[str, Instrument], instrument: Instrument) -> list[Instrument]:
    """The published versions of ``instrument``'s code older than it, newest first."""
    older = [i for i in registry.values() if i.code == instrument.code and i.version < instrument.version]
    return sorted(older, key=lambda i: i.version, reverse=True)
