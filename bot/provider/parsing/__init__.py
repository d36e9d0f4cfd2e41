"""Reading provider replies: the one place where wire text becomes typed models or errors.

A reply goes through :func:`read_reply` first (``reply.py``), which spots error envelopes,
error tokens, HTML pages and garbage the same way for every action and every compatible
provider; then through the action's own ``parse_*`` function, which raises
:class:`~bot.provider.errors.UnexpectedReplyError` for a shape it does not know, never a
``KeyError`` or ``ValueError``.

    reply.py        RawReply, read_reply: envelopes, tokens, HTML, garbage
    fields.py       small field readers and the reply_parser decorator
    activations.py  buying, states, codes, calls
    catalog.py      services, countries, operators, prices
    rent.py         the Rent API
    webhooks.py     provider pushes
"""

from bot.provider.parsing.activations import (
    parse_active_activations,
    parse_additional_service,
    parse_balance,
    parse_full_sms,
    parse_incoming_call_status,
    parse_multi_service_number,
    parse_number,
    parse_number_v2,
    parse_status,
    parse_status_change,
    parse_status_v2,
)
from bot.provider.parsing.catalog import (
    parse_call_task,
    parse_countries,
    parse_extra_activation_offer,
    parse_numbers_status,
    parse_operators,
    parse_outgoing_calls,
    parse_prices,
    parse_prices_verification,
    parse_services_list,
    parse_top_countries,
)
from bot.provider.parsing.fields import parse_time
from bot.provider.parsing.rent import (
    parse_rent,
    parse_rent_catalog,
    parse_rent_list,
    parse_rent_price,
    parse_rent_status,
    parse_rent_status_change,
)
from bot.provider.parsing.reply import RawReply, read_reply
from bot.provider.parsing.webhooks import parse_activation_webhook, parse_rent_webhook

__all__ = [
    "RawReply",
    "parse_activation_webhook",
    "parse_active_activations",
    "parse_additional_service",
    "parse_balance",
    "parse_call_task",
    "parse_countries",
    "parse_extra_activation_offer",
    "parse_full_sms",
    "parse_incoming_call_status",
    "parse_multi_service_number",
    "parse_number",
    "parse_number_v2",
    "parse_numbers_status",
    "parse_operators",
    "parse_outgoing_calls",
    "parse_prices",
    "parse_prices_verification",
    "parse_rent",
    "parse_rent_catalog",
    "parse_rent_list",
    "parse_rent_price",
    "parse_rent_status",
    "parse_rent_status_change",
    "parse_rent_webhook",
    "parse_services_list",
    "parse_status",
    "parse_status_change",
    "parse_status_v2",
    "parse_time",
    "parse_top_countries",
    "read_reply",
]
