"""Everything that speaks Telegram: handlers, buttons, screens, rendering, delivery, routing.

Nothing below this package (services, storage, provider) imports ``telegram``.
"""
