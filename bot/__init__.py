"""smsbot: a Telegram bot for SMS-Activate-protocol virtual-number providers.

Layout (the code's map; see README.md for the whole picture):

    bot/provider/    the handler_api.php protocol: client, typed models, errors, presets
    bot/provider/sandbox/   a faithful emulator of the provider for tests, benchmarks and demos
    bot/core/        what every layer shares: the Secret type (a masked repr), the clock
    bot/services/    PTB-free logic: purchases, watchers, reconciliation, offers, …
    bot/telegram/    everything that speaks Telegram
    storage/         SQLite or PostgreSQL: migrations, key vault, ledgers, event outbox
"""

__version__ = "0.1.0"
