"""The Telegram layer: everything that imports ``telegram`` (handlers, screens, persistence)."""
