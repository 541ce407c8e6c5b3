"""A demo province with synthetic responses that look like real ones.

The data are made to be *true to something*: each unit has its own level
of satisfaction, harassment and informal payment; answers cluster by
counter and by day (a rude official on duty, a broken air conditioner), and
a respondent's ratings share a personal leniency. Later screens (intervals,
design effects, verdicts) then have real structure to find.

Citizens answer the way the form asks them: the questions of their channel
(mostly the QR form, some paper forms), the ones skip logic shows (the
result only once it was received, the feedback items only to those who gave
feedback), the improvements they ask for follow what they rated badly, and
the optional demographics are sometimes left blank. Responses of the last
:data:`.citizens.SWITCH_MONTHS_AGO` months answer the active version of sipas-counter,
older ones the version before it, as in a province that switched.
"""

from app.services.demo.province import DemoExists, DemoSummary, demo_seed
from app.services.demo.stuffing import STUFFED
from app.services.demo.surveyors import DEMO_DEVICE, demo_assignments

__all__ = ["DEMO_DEVICE", "STUFFED", "DemoExists", "DemoSummary", "demo_assignments", "demo_seed"]
