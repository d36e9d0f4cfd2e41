"""Services: the bot's logic, free of python-telegram-bot, so any entry point can reuse it."""
