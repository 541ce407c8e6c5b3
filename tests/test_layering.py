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


def _app_imports(path: Path) -> set[str]:
    """Every ``app.*`` module ``path`` imports, at any depth of the file."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "app":
                names.update(f"app.{alias.name}" for alias in node.names)
            elif node.module.startswith("app."):
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("app."))
    return names


#: what a renderer may import from the application: other renderers, the
#: report's types and labels, and the pure helpers
RENDER_MAY_IMPORT = (
    "app.render",
    "app.services.reports.model",
    "app.services.reports.labels",
    "app.time",
    "app.texts",
    "app.numbers",
)


def test_renderers_depend_only_on_the_report_types():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _app_imports(path) if not m.startswith(RENDER_MAY_IMPORT))
        for path in (ROOT / "app" / "render").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_services_and_models_import_no_web_layer():
    """Services and models run in commands, benchmarks and tests without a
    request: no Flask, no blueprint, no access layer."""
    web = ("app.access", "app.i18n", "app.templating", "app.errors", "app.extensions", "app.ratelimit")
    blueprints = ("app.admin", "app.api", "app.auth", "app.citizen", "app.public", "app.reports", "app.surveyor")
    offenders = {}
    for folder in ("services", "models"):
        for path in (ROOT / "app" / folder).rglob("*.py"):
            bad = sorted(m for m in _app_imports(path) if m.startswith(web + blueprints))
            text = path.read_text(encoding="utf-8")
            if any(line.startswith(("import flask", "from flask", "from werkzeug")) for line in text.splitlines()):
                bad.append("flask")
            if bad:
                offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}
