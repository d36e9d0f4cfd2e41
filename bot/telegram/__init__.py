"""The Telegram layer: everything that imports ``telegram`` (handlers, buttons, screens,
routing, rendering, delivery, persistence). Nothing below it (services, storage, provider)
imports ``telegram``.
"""
