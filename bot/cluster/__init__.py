"""Several smsbot processes on one PostgreSQL (issue 15): shard leases, the leader, the event
listener, the Telegram webhook route, health and metrics. PTB-free except telegram_webhook."""
