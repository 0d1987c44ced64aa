"""Imports only point down (STYLE: Layers): no Streamlit in the core, no SQL or data wrangling in pages,
and inside the core each concept folder imports only the shared ground and the arrows listed here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


CORE = ROOT / "retention_core"
# Shared ground every package may use; it imports nothing but itself.
GROUND = {"errors", "periods", "definitions", "runs", "summary", "sample", "properties", "export"}
# The concept folders (wings) and the arrows between them that the code needs; anything else is a
# new dependency to think about before adding it here.
WINGS = {"ingest", "retention", "value", "journeys", "whatif", "engine", "workspace"}
ALLOWED = {
    "ingest": set(),
    "engine": set(),
    "retention": {"engine"},
    "value": {"retention"},
    "journeys": set(),
    "whatif": {"retention"},
    "workspace": {"ingest", "engine"},  # a version is saved LoadResults (ingest) with their compact tables (engine)
}
TOP = {"charts", "report", "weekly", "mail", "cli", "__main__", "__init__"}  # on top: may import any wing


def _core_arrows() -> dict[str, set[str]]:
    """{first-level name in retention_core: the other first-level names it imports}."""
    arrows: dict[str, set[str]] = {}
    for path in CORE.rglob("*.py"):
        src = path.relative_to(CORE).with_suffix("").parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for mod in mods:
                parts = mod.split(".")
                if parts[0] == "retention_core" and len(parts) > 1 and parts[1] != src:
                    arrows.setdefault(src, set()).add(parts[1])
    return arrows


def test_every_core_module_belongs_to_a_known_layer():
    names = {p.relative_to(CORE).with_suffix("").parts[0] for p in CORE.rglob("*.py")}
    assert names - GROUND - WINGS - TOP == set()


def test_shared_ground_imports_only_shared_ground():
    bad = {src: dst - GROUND for src, dst in _core_arrows().items() if src in GROUND and dst - GROUND}
    assert bad == {}


def test_wings_import_only_the_ground_and_their_allowed_arrows():
    bad = {src: dst - GROUND - ALLOWED[src] for src, dst in _core_arrows().items()
           if src in WINGS and dst - GROUND - ALLOWED[src]}
    assert bad == {}


def test_no_wing_imports_the_layers_on_top():
    bad = {src: dst & TOP for src, dst in _core_arrows().items() if src in WINGS | GROUND and dst & TOP}
    assert bad == {}


def test_the_checker_sees_real_arrows():
    """Guard the guard: arrows that exist today must be found, or the tests above prove nothing."""
    arrows = _core_arrows()
    assert "retention" in arrows["value"] and "retention" in arrows["report"] and "ingest" in arrows["cli"]


def test_core_never_imports_streamlit_or_pandas():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "retention_core").rglob("*.py")
                 if _imports(p) & {"streamlit", "pandas", "ui"}]
    assert offenders == []


def test_core_uses_no_default_duckdb_connection():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "retention_core").rglob("*.py")
                 if re.search(r"duckdb\.(sql|query|execute)\(", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_pages_build_no_sql_and_do_no_data_wrangling():
    pattern = re.compile(r"\b(SELECT|GROUP BY)\b|\.group_by\(|(?<![\"'])\.join\(|\.agg\(|duckdb|\.sql\(")
    offenders = [str(p.relative_to(ROOT)) for p in [*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_pages_touch_session_state_only_through_ui_state():
    offenders = [str(p.relative_to(ROOT)) for p in [*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
                 if re.search(r"st\.(session_state|query_params)", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_table_and_chart_is_drawn_through_widgets():
    """Tables through ``widgets.grid`` (a dash for a missing value, not "None") and charts through
    ``widgets.chart`` (the UI language's numbers and month names, the title and filters in the PNG):
    a direct ``st.dataframe``/``plotly_chart`` elsewhere would show English to a Russian reader."""
    pattern = re.compile(r"\.(dataframe|plotly_chart)\(")
    files = [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"]
    offenders = [str(p.relative_to(ROOT)) for p in files
                 if p.name != "widgets.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
