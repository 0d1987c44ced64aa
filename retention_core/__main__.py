"""``python -m retention_core``: see :mod:`retention_core.cli.main`."""

import sys

from retention_core.cli.main import main

sys.exit(main())
