"""Dependencies point one way: app -> surveys, analysis; never back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_surveys_and_analysis_import_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, surveys, analysis\n"
        "import surveys.loader, surveys.answers\n"
        "import pkgutil, importlib\n"
        "for pkg in (surveys, analysis):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "banned = ('flask', 'sqlalchemy', 'app', 'werkzeug')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in banned)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_wsgi_builds_an_app_at_import_time():
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith(("app = create_app", "application = create_app")):
                offenders.append(str(path))
    assert offenders == []
