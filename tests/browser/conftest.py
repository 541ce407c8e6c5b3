"""A live server and a real Chromium for browser tests.

The server runs the real app in a thread against its own SQLite file,
migrated and seeded like `make run`. Chromium is Debian's
(/usr/bin/chromium): Playwright's own browser download does not work here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from app import create_app
from app.config import Settings
from app.migrations import schema_upgrade
from app.models import ServicePoint
from app.services.demo import demo_seed

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"

    @property
    def engine(self):
        return self.app.extensions["db"].engine

    def first_token(self) -> str:
        with Session(self.engine) as s:
            return s.scalar(select(ServicePoint.qr_token).order_by(ServicePoint.id).limit(1))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        Settings(env="testing", database_url=f"sqlite:///{folder / 'live.db'}"),
        instance_path=str(folder / "instance"),
    )
    engine = app.extensions["db"].engine
    schema_upgrade(engine)
    with Session(engine) as s:
        demo_seed(s, responses=40)
        s.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, server)
    server.shutdown()
    thread.join(5)
    engine.dispose()


# Module scope: Playwright's sync API keeps an event loop running in this
# thread while the browser is open; it must be gone before other tests run.
# ("package" scope is not enough: tests/ has no __init__.py, so it lasted to
# the end of the session and the loop with it.)
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A 360×740 phone-sized page that records console errors."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
