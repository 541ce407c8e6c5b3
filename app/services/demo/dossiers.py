"""Dossiers in the demo: responses that came through a dossier's one-time
code, and the dossiers each counter received (the response rate's
denominator)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

from app.models import DossierCount, ServicePoint
from app.services.demo.citizens import Synthetic
from app.services.instruments import ActiveInstrument
from app.time import VIETNAM, service_day_of, vietnam_today

#: dossier's one-time code (issue 16.3), and how recent (days).
VERIFIED_SHARE = 0.3
VERIFIED_DAYS = 92


def verified_share(rng: np.random.Generator, rows: list[Synthetic], active: ActiveInstrument) -> None:
    """Turn a share of the recent QR responses into verified ones, rated as
    their overall answer says (5: rất hài lòng, 4: hài lòng, else không), so
    the report shows the per-dossier rating and the verified/open comparison.
    A generator of its own leaves the other responses as they were."""
    since = datetime.combine(vietnam_today() - timedelta(days=VERIFIED_DAYS), time(0), tzinfo=VIETNAM)
    for row in rows:
        if row.channel != "qr" or row.version is not active or row.submitted < since:
            continue
        if rng.random() < VERIFIED_SHARE:
            overall = row.answers.get("overall")
            row.channel = "qr-verified"
            row.rating = 3 if overall == 5 else 2 if overall == 4 else 1


def dossier_counts(rng: np.random.Generator, points: list[ServicePoint], rows: list[Synthetic]) -> list[DossierCount]:
    """Dossiers each counter received in each of the last four months, as
    imported from a one-stop-shop system: its responses over a response rate
    of 10–40 % (a counter without responses still received dossiers)."""
    months = []
    first = vietnam_today().replace(day=1)
    for _ in range(4):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    answered: dict[tuple[int, date], int] = {}
    for row in rows:
        key = (row.point.id, service_day_of(row.submitted).replace(day=1))
        if row.channel in ("qr", "kiosk", "qr-verified") and key[1] in months:
            answered[key] = answered.get(key, 0) + 1
    counts = []
    for point in points:
        rate = rng.uniform(0.1, 0.4)
        for month in months:
            n = answered.get((point.id, month), 0)
            dossiers = round(n / rate) if n else int(rng.integers(20, 120))
            counts.append(DossierCount(service_point_id=point.id, month=month, dossiers=dossiers, source="import"))
    return counts
