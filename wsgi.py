"""The WSGI entry point: the only module that builds an app at import time.

flask --app wsgi run
gunicorn wsgi:app
"""

from app import create_app

app = create_app()
