"""First load of the citizen form in Chromium: bytes on the wire, requests, hosts.

    .venv/bin/python bench/form_weight.py

Serves the app (demo data, SQLite) on a free port, opens a counter's form
in a fresh 360×740 Chromium profile, and sums Chromium's own count of
bytes received per request (encodedDataLength: headers + compressed body),
so the figure is what a phone on mobile data downloads.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from app import create_app
from app.config import Settings
from app.migrations import schema_upgrade
from app.models import ServicePoint
from app.services.demo import demo_seed

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app(Settings(env="testing", database_url=f"sqlite:///{folder / 'b.db'}"), instance_path=str(folder))
    engine = app.extensions["db"].engine
    schema_upgrade(engine)
    with Session(engine) as s:
        demo_seed(s, responses=10)
        s.commit()
        token = s.scalar(select(ServicePoint.qr_token).limit(1))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/s/{token}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        urls: dict[str, str] = {}
        sizes: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        page.goto(url, wait_until="networkidle")
        browser.close()
    server.shutdown()
    hosts = {urlsplit(u).netloc for u in urls.values()}
    total = sum(sizes.values())
    print("| resource | bytes on the wire |\n|---|---:|")
    for rid, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"| {urlsplit(urls[rid]).path} | {size:,} |")
    print(f"| **total ({len(sizes)} requests)** | **{total:,}** |")
    print(f"\nhosts contacted: {', '.join(sorted(hosts))}")
    third_party = hosts - {f"127.0.0.1:{server.server_port}"}
    print(f"third-party requests: {len(third_party)}")


if __name__ == "__main__":
    main()
