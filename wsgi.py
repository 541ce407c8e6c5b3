"""The WSGI entry point: the only module that builds an app at import time.

flask --app wsgi run
gunicorn wsgi:app
"""

import gc

from app import create_app

app = create_app()
# What exists now (modules, the SQLAlchemy metadata, the instruments) lives
# as long as the process: moved out of the collector's sight, it is no longer
# scanned by every full collection. A report that builds tens of thousands
# of figures triggers one; over all startup objects it cost about 0.18 s,
# over the rest 0.03-0.05 s (docs/benchmarks.md, issue 3).
gc.freeze()
