"""UI text catalogues, one module per area, each with ``EN`` and ``RU`` dicts of the same keys."""
