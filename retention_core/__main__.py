"""``python -m retention_core``: see :mod:`retention_core.cli`."""

import sys

from retention_core.cli import main

sys.exit(main())
