# smsbot, English: /prices, another activation, /history pages, /multi, calls, added services.

## Command menu
command-prices = Prices by service or country
command-multi = One number for several services

## Prices
prices-choose-service = 💲 <b>Prices</b>: pick a service, or type part of its name.
prices-choose-country = 💲 <b>Prices</b>: pick a country, or type part of its name.
prices-no-match = Nothing matches “{ $query }”. Try another word.
button-prices-by-country = 🌍 By country
button-prices-by-service = 🧩 By service
prices-service-header = 💲 <b>{ $name }</b> by country, cheapest first (page { $page }/{ $pages }):
prices-country-header = 💲 <b>{ $name }</b> by service, cheapest first (page { $page }/{ $pages }):
button-prices-buy = 🛒 { $name } · { $price }
prices-line = { $name } · { $price } · { $count ->
        [one] { $count } number
       *[other] { $count } numbers
    }
prices-empty = No prices for { $name } right now.
prices-closed = Price list closed.
prices-refused = ❌ Could not get the prices: { $reason }
prices-expired = This price list is closed. Send /prices again.

## Another activation on a used number
button-extra-activation = 🔁 Use this number again
extra-offer =
    <b>Another activation on the same number</b>
    Number: <code>+{ $phone }</code>
    Service: { $service }
    Price: <b>{ $price }</b>
button-extra-confirm = ✅ Buy for { $price }
extra-not-possible = ❌ The provider cannot give this number again now: it must have finished with a code and must not be in use.
extra-expired = This offer is out of date. Press “Use this number again” once more.
extra-dismissed = ✖️ Not bought: the number stays finished.

## History
history-page = 📜 Page { $page }
button-history-extra = 🔁 { $service } +{ $phone }

## One number for several services
multi-choose-services = 🧩 <b>One number for several services.</b> Tap services to select them (selected: { $count }), or type part of a name. Then “Next”.
multi-no-match = No service matches “{ $query }”.
button-multi-next = ➡️ Next: country
multi-need-two = Pick at least two services.
multi-choose-country = 🌍 Pick a country for { $services } (only countries that sell one number for several services).
multi-no-countries = No country sells one number for several services right now.
multi-confirm =
    <b>Confirm: one number for several services</b>
    Services: { $services }
    Country: { $country }
    Price: <b>{ $price }</b> (the sum of the services' prices)
    Your balance: { $balance }
multi-forward-line = 📞 Call forwarding: { $service }
button-multi-forward = 📞 Forwarding: { $service }
button-multi-confirm = ✅ Buy for { $price }
multi-bought = ✅ One number, <code>+{ $phone }</code>, for { $count ->
        [one] { $count } service
       *[other] { $count } services
    }. Each has its own message below.
multi-expired = This selection is out of date. Send /multi again.
multi-aborted = Cancelled. Nothing was bought.
multi-not-offered = ❌ This provider does not sell one number for several services.

## Calls
call-line-waiting = 📞 Call: not yet.
call-line-arrived = 📞 Call from <code>{ $phone }</code>.
call-line-ended = 📞 Call verification ended.
button-call-status = 📞 Call status
button-order-call = 📲 Call me from this number
call-ask-phone = Send the phone number the call should go to (digits, with country code).
call-bad-phone = ❌ That is not a phone number. Send digits only, with the country code.
call-ordered = ✅ Call ordered: { $text }
call-not-offered = This provider does not offer that.
call-not-verification = This number was not bought for call verification.

## Added services on a forwarded number
button-additional = ➕ Add a service to this number
additional-choose = ➕ Pick a service to add to <code>+{ $phone }</code> (call-forwarding services only).
additional-confirm =
    <b>Add { $service } to <code>+{ $phone }</code></b>
    Price: the provider's fixed fee for an added service (5 ₽ at SMS-Activate).
button-additional-confirm = ✅ Add { $service }
additional-expired = This offer is out of date. Press “Add a service” on the number again.
