"""The lowest layer: what every other layer shares (a clock, a masked secret, stopping tasks)."""
