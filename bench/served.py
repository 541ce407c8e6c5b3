"""Serve the real application (or the floor app) under gunicorn for load and fault runs.

``Served`` starts gunicorn as a child process on a free loopback port, in the
production configuration unless told otherwise (``APP_ENV=production``, a
random 48-character ``SECRET_KEY``), waits until it answers, and stops it
again. ``database_prepare`` migrates a database and creates the counters
the load client posts to.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")

#: gunicorn settings of the production runs (see docs/benchmarks-reliability.md
#: for why): gthread workers, two per core, four threads each.
PRODUCTION_WORKERS = ("-k", "gthread", "-w", "4", "--threads", "4", "--keep-alive", "5")


def source_root() -> Path:
    """The tree the ``app`` package is imported from: this checkout, or a snapshot.

    To measure one commit while colleagues edit the working tree, serve a copy:
    ``git archive HEAD | tar -x -C /tmp/snap`` and run the bench script with
    ``PYTHONPATH=/tmp/snap``; the bench modules themselves still come from here.
    """
    import app

    return Path(app.__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A gunicorn master serving ``app_spec`` (``wsgi:app`` or ``bench.floor_app:app``)."""

    database_url: str
    app_spec: str = "wsgi:app"
    worker_args: Sequence[str] = PRODUCTION_WORKERS
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    #: the source tree to serve (see :func:`source_root`)
    root: Path = field(default_factory=lambda: source_root())
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Served:
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": self.database_url,
            # production refuses a local PUBLIC_URL (it goes on the posters);
            # the runs call the server by its port, never through this name
            "PUBLIC_URL": "https://khaosat.bench.invalid",
            # as behind nginx: each simulated phone has its own address (X-Forwarded-For)
            "TRUSTED_PROXIES": "1",
            "PYTHONPATH": os.pathsep.join(dict.fromkeys((str(self.root), str(ROOT)))),
            **self.env,
        }
        cmd = [str(GUNICORN), *self.worker_args, "-b", f"127.0.0.1:{self.port}", "--timeout", "30"]
        cmd.append(self.app_spec)
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log, stderr=log, start_new_session=True)
        finally:
            if self.log_path:
                log.close()  # the child has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self  # it answers
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    def workers(self) -> list[int]:
        """Process ids of the worker processes (children of the master)."""
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def kill_worker(self) -> int | None:
        """SIGKILL one worker, as the kernel's OOM killer would; the master starts another."""
        pids = self.workers()
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class LoadPoint:
    id: int
    unit_id: int
    token: str


def database_prepare(url: str, *, points: int, unit_code: str, demo_responses: int = 0) -> list[LoadPoint]:
    """Migrate ``url``, register the instruments and create a unit with ``points`` counters.

    ``demo_responses`` > 0 also seeds the demo province, so that the tables
    and indexes are not empty when the load starts.
    """
    from app.config import Settings, database_url
    from app.extensions import engine_for
    from app.migrations import schema_upgrade
    from app.models import ServicePoint, Unit
    from app.services.demo import demo_seed
    from app.services.instruments import instruments_sync

    engine = engine_for(database_url(Settings(database_url=url), ROOT / "instance"))
    try:
        schema_upgrade(engine)
        with Session(engine) as s:
            instruments_sync(s)
            if demo_responses and not s.scalar(select(Unit.id).where(Unit.code == "DEMO")):
                demo_seed(s, responses=demo_responses)
            unit = s.scalar(select(Unit).where(Unit.code == unit_code))
            if unit is None:
                unit = Unit(code=unit_code, name=f"Đơn vị thử tải {unit_code}", level="province", path="/")
                s.add(unit)
                s.flush()
            made = list(s.scalars(select(ServicePoint).where(ServicePoint.unit_id == unit.id)))
            for i in range(len(made), points):
                point = ServicePoint(unit_id=unit.id, code=f"Q{i + 1:03d}", name=f"Quầy thử tải {i + 1}")
                s.add(point)
                made.append(point)
            s.commit()
            return [LoadPoint(p.id, p.unit_id, p.qr_token) for p in made[:points]]
    finally:
        engine.dispose()


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by ``root_pid``, its reaped children and its live children."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(pid: int, with_reaped: bool) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        used = int(fields[11]) + int(fields[12])  # utime, stime
        if with_reaped:
            used += int(fields[13]) + int(fields[14])  # cutime, cstime
        return used / tick

    try:
        children = [int(p) for p in Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()]
    except OSError:
        children = []
    return own(root_pid, True) + sum(own(c, False) for c in children)


def backends_cpu_seconds(database: str) -> float:
    """CPU time used so far by the PostgreSQL backends connected to ``database``
    (``postgres: 15/main: user database ...`` processes on this machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().decode(errors="replace")
            if not title.startswith("postgres: ") or f" {database} " not in title:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
