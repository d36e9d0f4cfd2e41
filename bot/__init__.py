"""smsbot: a Telegram bot for SMS-Activate-protocol virtual-number providers.

Layout (the code's map; see README.md for the whole picture):

    bot/provider/    the handler_api.php protocol: client, typed models, errors, presets
    bot/provider/sandbox/   a faithful emulator of the provider for tests, benchmarks and demos
    bot/secret.py    the Secret type: a string whose repr is a mask
    bot/clock.py     the injectable clock
    storage/         SQLite (aiosqlite, WAL): migrations, key vault, ledgers, event outbox
"""

__version__ = "0.1.0"
