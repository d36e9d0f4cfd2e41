# Issue 17: the best offer across the user's providers, keep trying (auto-replace), caps.

## /buy's comparison (only for a user with keys at two providers or more)
offers-heading = <b>At your providers:</b>
# $mark is ▶ for the row Buy buys from; $rate is " · ✅ 92 % · ~40 s" or empty.
offers-row = { $mark } { $provider } · { $price } · { $stock } left{ $rate }
offers-rate = ✅ { $percent } %
offers-rate-time = ✅ { $percent } % · ~{ $seconds } s
offers-dropped-timeout = ⏱ { $provider }: no answer in time, left out
offers-dropped-key-refused = 🔑 { $provider }: the provider refused your key (send /key { $provider } with a new one)
offers-dropped-key-unreadable = 🔑 { $provider }: your key must be entered again
offers-dropped-not-sold = { $provider }: not sold there
offers-dropped-error = ⚠️ { $provider }: did not answer properly, left out
offers-none-buyable = ❌ No provider has a number for this now.
offers-pinned-none = ❌ { $provider } has no number for this now. Pick another provider, or any.
offers-buying-best = Buying from the best offer: <b>{ $provider }</b> (any provider).
offers-buying-pinned = Buying from <b>{ $provider }</b> (pinned).
offers-provider-line = Provider: <b>{ $provider }</b>
offers-any-provider = Any provider (best offer)
offers-other-currency = {" "}· another currency: not ranked against the others
# /prices: under each line, every provider's price and stock there ($mark: "▶ " for the best).
offers-prices-entry = { $mark }{ $provider } { $price } ({ $stock })
offers-prices-line = {"    "}↳ { $rows }

## Keep trying: auto-replace under a budget
autoreplace-button = 🔁 Keep trying until a code comes…
autoreplace-setup =
    <b>Keep trying</b>: { $service }, { $country }
    I buy a number and wait { $minutes } min for its code. No code: I cancel it for its refund and buy the next one (from the next-best provider when one failed), up to { $tries } numbers. A code ends it; Stop ends it at once.
    In all, at most <b>{ $cap }</b> is spent (refunds come back from the provider).
autoreplace-setup-max-price = Each number at most <b>{ $max }</b> (your max price).
autoreplace-tries-button = Numbers: { $tries }
autoreplace-wait-button = Wait: { $minutes } min
autoreplace-start-button = ▶ Start, at most { $cap }
autoreplace-starting = Starting…
autoreplace-stopping = Stopping…
autoreplace-stop-button = ⏹ Stop
autoreplace-card-try = 🔁 Try { $attempt } of { $tries } · { $provider } · { $country } · { $price }
autoreplace-card-buying = Buying a number…
autoreplace-card-waiting =
    📱 <code>+{ $phone }</code>
    Waiting for the code (up to { $minutes } min), then the next number.
autoreplace-card-code = ✅ A code came on try { $tries }: the run is over. The code is in the message below.
autoreplace-card-cancelled = ⏹ Stopped. A number still waiting was cancelled for its refund.
autoreplace-card-exhausted = ❌ No code in { $tries } numbers. Each was cancelled for its refund.
autoreplace-card-capped = 💲 Stopped: the next number would pass the cap of { $cap } (or your spending cap).
autoreplace-card-failed = ❌ Stopped: no provider has a number for this now.
autoreplace-card-over-max = ❌ Stopped: no provider has a number at your max price ({ $max }) now.

## Spending caps
# $period is "day" or "month".
cap-refused = { $period ->
    [day] ❌ Not bought: it would pass your daily cap of { $cap }. Left today: <b>{ $remaining }</b> (this costs { $price }). Change it in /settings.
   *[other] ❌ Not bought: it would pass your monthly cap of { $cap }. Left this month: <b>{ $remaining }</b> (this costs { $price }). Change it in /settings.
}
settings-cap = { $period ->
    [day] Daily cap: <b>{ $cap }</b> ({ $remaining } left today)
   *[other] Monthly cap: <b>{ $cap }</b> ({ $remaining } left this month)
}
settings-cap-none = { $period ->
    [day] Daily cap: none
   *[other] Monthly cap: none
}
button-set-cap = { $period ->
    [day] 💲 Daily cap…
   *[other] 💲 Monthly cap…
}
settings-ask-cap = { $period ->
    [day] Send the most the bot may spend for you in one day (UTC), e.g. <code>100</code>; 0 for no cap.
   *[other] Send the most the bot may spend for you in one month (UTC), e.g. <code>1000</code>; 0 for no cap.
}
settings-bad-cap = ❌ That is not an amount. Send a number like <code>100</code>, or 0 for no cap.

## Keys at several providers (/key, /provider)
key-saved-for = ✅ Key for <b>{ $provider }</b> saved. Balance there: <b>{ $balance }</b>. Your current provider stays as it was; /buy compares your providers.
provider-keys-line = Your keys: { $providers }
provider-keys-hint = Add a key for another provider with /key and its name (e.g. <code>/key grizzlysms</code>): /buy then compares them all.
key-which = Which provider is the key for? Send me your API key for <b>{ $provider }</b> (✓, your current one) in your next message, or tap another provider first. I delete that message at once and store the key encrypted. Or send <code>/key name</code> for another provider.
