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


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports by absolute name, at any depth of the
    file (an import inside a function counts): ``from app import texts``
    gives ``app.texts``."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "app":
                names.update(f"app.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _app_imports(path: Path) -> set[str]:
    """Every ``app.*`` module ``path`` imports, at any depth of the file."""
    return {name for name in _imports(path) if name.startswith("app.")}


def _web_libraries(names: set[str]) -> list[str]:
    """The names that are Flask, a Flask extension or Werkzeug."""
    return sorted(n for n in names if n.split(".")[0] in ("flask", "werkzeug") or n.startswith("flask_"))


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _blueprint_packages() -> list[str]:
    """``app.<name>`` for every package of app/ that creates a Blueprint."""
    return sorted(
        f"app.{path.parent.name}"
        for path in (ROOT / "app").glob("*/*.py")
        if "Blueprint(" in path.read_text(encoding="utf-8")
    )


def test_the_blueprints_are_found():
    """The layering rules below name the blueprints by scanning app/: make
    sure the scan sees them (nine when this test was written)."""
    assert {"app.admin", "app.api", "app.citizen", "app.reports", "app.surveyor"} <= set(_blueprint_packages())


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
    """No model, no service but the report's types, no web layer and no
    database: a renderer lays out a ``Report`` it is given."""
    offenders = {}
    for path in (ROOT / "app" / "render").rglob("*.py"):
        names = _imports(path)
        bad = sorted(m for m in names if m.startswith("app.") and not m.startswith(RENDER_MAY_IMPORT))
        bad += _web_libraries(names) + sorted(n for n in names if n.split(".")[0] == "sqlalchemy")
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_services_and_models_import_no_web_layer():
    """Services and models run in commands, benchmarks and tests without a
    request: no Flask (nor its extensions, nor Werkzeug), no blueprint, no
    access layer."""
    web = ("app.access", "app.i18n", "app.templating", "app.errors", "app.extensions", "app.ratelimit")
    blueprints = tuple(_blueprint_packages())
    offenders = {}
    for folder in ("services", "models"):
        for path in (ROOT / "app" / folder).rglob("*.py"):
            names = _imports(path)
            bad = sorted(m for m in names if m.startswith(web) or any(_within(m, b) for b in blueprints))
            bad += _web_libraries(names)
            if bad:
                offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_the_readme_lists_every_blueprint():
    """README's "What is here" names each blueprint package, e.g. `admin/`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    here = readme.split("## What is here", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in _blueprint_packages() if f"`{name.removeprefix('app.')}/`" not in here]
    assert missing == []
