"""``python -m retention_core``: the command line (SPEC §8). ``main`` is the frame, ``args`` the shared
argument helpers and registry; the commands live in one module per concept
(``retention``, ``journeys``, ``value``, ``whatif``), each importing only ``args``."""

from retention_core.cli.main import main, parser

__all__ = ["main", "parser"]
