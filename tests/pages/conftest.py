"""AppTest fixtures: the app against a throw-away workspace seeded with the bundled sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
_original_init = PagesManager.__init__


def _navigation_mode_init(self, *args, **kwargs):
    """AppTest resets Streamlit's legacy "pages/ directory" flag before every run(), so each rerun
    would execute the page file alone (no app.py, no sidebar). A served app leaves that mode for good
    once app.py calls st.navigation (see ui/routing.py); this keeps AppTest in the same mode."""
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _served_navigation_mode(monkeypatch):
    monkeypatch.setattr(PagesManager, "__init__", _navigation_mode_init)


@pytest.fixture(scope="session")
def seeded_workspace(tmp_path_factory) -> Path:
    """A workspace after the app's first start (sample datasets saved), made once per test session."""
    root = tmp_path_factory.mktemp("seeded")
    import os

    old = os.environ.get("RETENTION_WORKSPACE")
    os.environ["RETENTION_WORKSPACE"] = str(root)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        assert not at.exception, at.exception
    finally:
        if old is None:
            os.environ.pop("RETENTION_WORKSPACE", None)
        else:
            os.environ["RETENTION_WORKSPACE"] = old
    return root


@pytest.fixture
def workspace(seeded_workspace: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the seeded workspace (tests may save and delete datasets)."""
    root = tmp_path / "ws"
    shutil.copytree(seeded_workspace, root)
    monkeypatch.setenv("RETENTION_WORKSPACE", str(root))
    return root


@pytest.fixture
def app(workspace):
    """An AppTest of the whole app (not yet run), so tests can seed query params first."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def metric(at: AppTest, label: str) -> str:
    """The value shown on the KPI tile with this label."""
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no tile {label!r}; tiles: {[m.label for m in at.metric]}")


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Bytes of every download button of a run, by file name (AppTest drops its media store after a run)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def keep_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:  # a download written on click: write it now, as the click would
            files[file_name] = data_callable()
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    original_deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    return files


@pytest.fixture(autouse=True)
def _fresh_settings_cache():
    """Dataset settings are cached by (slug, version); every test has its own copy of the workspace with the same
    slugs and version numbers, so a settings change saved in one test would leak into the next without this."""
    from ui import cache

    cached = getattr(getattr(cache, "settings", None), "clear", None)  # main later reads settings uncached
    if cached:
        cached()
    yield
    if cached:
        cached()
