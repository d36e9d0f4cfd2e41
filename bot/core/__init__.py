"""The lowest layer: small types every other layer shares (a clock, a masked secret)."""
