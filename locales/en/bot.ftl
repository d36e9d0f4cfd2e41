# smsbot, English. Messages are Telegram HTML: variables arrive escaped.

## Command menu
command-start = Start and overview
command-buy = Buy a number
command-active = Your live numbers
command-balance = Balance and cashback
command-history = Past numbers and spending
command-key = Set your provider API key
command-forgetkey = Forget your API key
command-provider = Choose the provider
command-lang = Language
command-help = How it works
command-cancel = Leave the current step
command-settings = Auto-cancel and other settings

## Start and help
start-welcome =
    👋 I get you phone numbers for sign-ups (Telegram, WhatsApp, Google…) and push the SMS code here the moment it arrives.

    Provider: <b>{ $provider }</b>
    { $has_key ->
        [yes] Your key: <code>{ $masked }</code>. Send /buy to get a number.
       *[no] First send me your provider API key with /key.
    }
help-text =
    <b>How it works</b>
    1. /key — give me your provider API key (I delete your message and keep the key encrypted).
    2. /buy — pick a service, a country and an operator, then confirm. One tap buys one number.
    3. The code arrives here as a new message. Buttons on the number: “SMS sent”, “Another code”, “Finish”, “Cancel”.
    A number that gets no code is cancelled before it expires, so the money comes back.

    /rent — a number for hours or days: every SMS it gets comes here
    /multi — one number for several services · /prices — prices and stock
    /active — your live numbers · /history — past ones · /balance · /settings · /provider · /lang · /cancel
    /forgetkey — delete your API key from this bot
not-allowed = Sorry, this bot is private.
unknown-text = I did not understand that. Send /buy for a number, or /help.
private-only = For your safety, do this in a private chat with me.
only-text = I only understand text messages and buttons. Send /help to see what I can do.

## API keys
key-ask = Send me your API key for <b>{ $provider }</b> in your next message. I delete that message at once and store the key encrypted.
key-checking = Checking the key with { $provider }…
key-saved = ✅ Key saved (<code>{ $masked }</code>). Balance: <b>{ $balance }</b>. Send /buy to get a number.
key-rejected = ❌ { $provider } does not accept this key. Check it.
key-malformed = ❌ That does not look like an API key (no spaces, 8 to 256 characters).
key-too-many = Too many attempts. Try again in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.
key-unreadable = I can no longer read your stored key. Please send it again with /key.
key-none = You have no key for <b>{ $provider }</b> yet. Send /key to add one.
key-forgotten = 🗑 Your key for { $provider } is deleted.
key-nothing-to-forget = There was no key for { $provider } to delete.
key-forget-ask = Delete your key for { $provider }? To buy again you will have to send it with /key.
button-forget-key-yes = 🗑 Yes, delete it
button-forget-key-no = ↩️ Keep it
key-kept = Your key for { $provider } is kept.
key-busy = ❌ You have live numbers bought with your { $provider } key: finish or cancel them (/active) before you change or delete the key.
key-deleted-notice = (I deleted your message with the key.)
key-not-deleted-notice = ⚠️ I could not delete your message with the key: please delete it yourself.
key-entry-ended = Key entry is over, so your next message is not read as a key: send /key to try again.

## Providers
provider-choose = Choose your provider. Now: <b>{ $provider }</b>. ✓ marks those you have a key for.
provider-custom-button = Another provider (URL)…
provider-ask-url = Send the provider's API URL, e.g. <code>https://example.com/stubs/handler_api.php</code>.
provider-set = Provider set to <b>{ $provider }</b>. { $has_key ->
        [yes] Your key for it is ready.
       *[no] Send /key to add your key for it.
    }
provider-bad-url = ❌ That is not a provider name or an http(s) URL without a key in it. Send another URL, or tap Cancel.
provider-kept = Provider unchanged: <b>{ $provider }</b>.

## Balance
balance-text =
    💰 Balance: <b>{ $balance }</b>
    Cashback: { $cashback }

## Buying
buy-choose-service = Pick a service, or type part of its name to search.
buy-search-results = Services matching “{ $query }”:
buy-no-service-match = No service matches “{ $query }”. Try another word, or pick from the list.
buy-choose-country = <b>{ $service }</b>: pick a country (cheapest first), or type part of its name.
buy-no-country-match = No country matches “{ $query }”.
buy-no-offers = No country sells <b>{ $service }</b> right now. Try another service.
buy-country-line = { $flag }{ $country } · { $price } · { $count } in stock
buy-choose-operator = <b>{ $service }</b>, { $country }: pick an operator.
buy-operator-any = Any operator
buy-confirm =
    <b>Confirm the purchase</b>
    Service: { $service }
    Country: { $country }
    Operator: { $operator }
    Price: <b>{ $price }</b>
    Available: { $count }
    Your balance: { $balance }
buy-confirm-button = ✅ Buy for { $price }
buy-max-price-button = 💲 Max price…
button-new-number = 🔁 New number
new-number-other-provider = This number came from { $provider }. Switch to it with /provider to get the same number type again, or send /buy.
button-other-operator = 📶 Another operator
buy-max-price-line = Max price (Free Price): <b>{ $max_price }</b>
buy-ask-max-price = Send the most you will pay for this number, e.g. <code>15.50</code> (0 for no limit). The provider sells at its price up to this limit.
buy-bad-max-price = ❌ That is not an amount. Send a number like <code>15.50</code>, or 0 for no limit.
buy-max-price-below = ❌ Your max price { $max_price } is below the price now, { $price }: the provider would refuse. Raise the max price (0 for none), or pick another country.
buy-checked-not-bought = ↩️ The provider's answer to the purchase could not be read, so I checked its list of your numbers: no number was bought, and nothing was charged. You can try again.
buy-balance-short = ❌ The price is { $price } but your balance is { $balance }. Top up at your provider, then try again.
buy-sold-out = ❌ No numbers left for this choice. Pick another country or operator.
buy-aborted = Purchase cancelled. Nothing was bought.
buy-expired-menu = This menu has expired. Send /buy to start again.
buy-in-progress = Buying…
buy-not-recorded = ❌ Not bought: I could not write the purchase down just now (my database is busy or full), so I did not ask the provider and nothing was charged. Tap Buy again in a minute.
confirm-not-recorded = ❌ Nothing done: I could not write it down just now (my database is busy or full), so I did not ask the provider and nothing was charged. Tap the button again in a minute.
buy-unrecorded = ⚠️ The provider answered, but I could not write your purchase down just now (my database is busy or full). I will check with the provider and tell you here; you will never be charged twice.
buy-duplicate = This confirmation was already used; it buys one number only.
buy-refused = ❌ Not bought: { $reason }
balance-after-purchase = 💰 Your balance now: { $balance }
request-failed = ❌ The provider could not answer: { $reason }
buy-unresolved = ⏳ The provider did not answer clearly, so I am still checking whether the number was bought. I keep asking the provider and will tell you here; you will never be charged twice.
reconciled-bought = ✅ The provider confirmed your earlier purchase:
reconciled-not-bought = ↩️ Your earlier purchase of { $service } did not go through: the provider lists no number for it. If one still turns up, I will cancel it for a refund.
reconciled-adopted = ⚠️ The provider sold a number for your earlier purchase of { $service } after all. As I had told you it failed, I am cancelling it for a refund (unless a code arrives first):
reconciled-checking = ⏳ Your purchase of { $service } was interrupted before the provider answered. I am checking with the provider whether a number was bought and will tell you here.

## Buttons
button-prev = ◀️
button-next = ▶️
button-back = ↩️ Back
button-try-again = 🔁 Try again
button-cancel = ✖️ Cancel
button-sms-sent = ✉️ SMS sent
button-another-code = 🔁 Another code
button-finish = ✅ Finish
button-cancel-activation = ❌ Cancel
button-refresh = 🔄 Refresh
button-cancel-auto = ⏰ Cancel automatically

## The activation message
activation-card =
    📱 <code>+{ $phone }</code>
    { $service } · { $country } · { $operator }
    Cost: { $cost }
    { $status }
time-countdown = in { $minutes } min · { $time }
activation-status-waiting = ⏳ Waiting for the SMS; it ends { $until }.
activation-status-code = 🔑 Code: <code>{ $code }</code>
activation-status-retry = ⏳ Waiting for another code; it ends { $until }.
activation-status-finished = ✔️ Finished.
activation-status-cancelled = ↩️ Cancelled; { $cost } refunded.
activation-status-expired = ⌛ Expired without a code; { $cost } refunded.
activation-status-waiting-call = ⏳ Waiting for the call; it ends { $until }.
activation-status-call-came = 📞 The call came, code: <code>{ $code }</code>. The number is done: after the call the provider allows no further change, and the charge stays.
activation-cancel-scheduled = ⏰ Will be cancelled automatically at { $at }.
code-message =
    🔑 <code>{ $code }</code> — { $service }, <code>+{ $phone }</code>
    <blockquote>{ $text }</blockquote>
code-message-no-text = 🔑 <code>{ $code }</code> — { $service }, <code>+{ $phone }</code>
ended-expired = ⌛ No code came for <code>+{ $phone }</code>; the provider ended it and { $cost } is back on your balance.
ended-auto-cancelled = ↩️ No code came for <code>+{ $phone }</code>, so I cancelled it before it expired: { $cost } is back on your balance.
ended-finished = ✔️ <code>+{ $phone }</code> is finished.

## Button answers
press-done = Done.
press-refreshed = 🔄 Checked with the provider at { $at }.
press-refused = Not possible now; the message shows the current state.
press-ended = This activation has already ended.
press-not-yours = This button is not yours.
press-stale = This button is out of date.
press-sms-sent = Noted: the SMS was sent.
cancel-later = The provider allows cancelling from { $at }. Tap “Cancel automatically” and I will do it then.
cancel-scheduled = I will cancel it at { $at } if no code comes.

## Lists
active-none = You have no live numbers. Send /buy to get one.
active-header = { $count ->
        [one] You have { $count } live number:
       *[other] You have { $count } live numbers:
    }
active-line = { $mark } <code>+{ $phone }</code> · { $service }
activation-card-moved = ↓ The card of <code>+{ $phone }</code> is now further down.
button-cancel-all = ❌ Cancel all without a code ({ $count })
active-cancel-all-ask = Cancel { $count ->
        [one] this number that got
       *[other] these { $count } numbers that got
    } no code? The money comes back.
button-cancel-all-yes = ❌ Yes, cancel { $count }
active-cancelled-all = ❌ Cancelled: { $cancelled }. ⏰ To be cancelled as soon as the provider allows: { $later }. Not possible now: { $failed }.
history-empty = No past numbers yet.
history-line = { $date } · { $service } · <code>+{ $phone }</code> · { $cost } · { $state }
history-total = { $count ->
        [one] { $count } number
       *[other] { $count } numbers
    }, spent in all: <b>{ $total }</b>
history-total-held = { $count ->
        [one] { $count } number
       *[other] { $count } numbers
    }, spent in all: <b>{ $total }</b>; held for live numbers: <b>{ $held }</b> (back if no code comes)
history-state-finished = finished
history-state-cancelled = cancelled
history-state-expired = expired
history-state-active = live

## Language and cancel
lang-choose = Choose your language:
lang-set = Language: English.
cancel-done = ✖️ Cancelled. Your numbers are not touched; send /buy to start again.
cancel-nothing = Nothing to cancel: no step is under way. Your numbers are in /active.

## Provider errors, by kind
error-auth = the provider does not accept your key. Send /key to set it again.
error-blocked = your provider account is blocked{ $until ->
        [none] .
       *[other] { " " }until { $until }.
    }
error-funds = your balance is too low. Top up your account on your provider's website, then try again (/balance shows what you have).
error-no-numbers = no numbers left for this choice.
error-price-limit = the price is above your limit.
error-invalid = the provider refused the request as invalid.
error-not-found = the provider does not know this number.
error-state = not possible in the number's current state.
error-server = the provider reported an internal error. Try again in a minute.
error-unavailable = the provider is not answering properly right now. Try again in a minute.
error-timeout = the provider did not answer in time. Try again in a minute.
error-address-refused = your provider's address now leads off the public internet, so this bot will not call it; nothing was sent. Choose a provider with /provider.
error-unexpected = the provider sent an answer I cannot read. Try again later.
error-generic = something went wrong on my side; nothing was lost. Try again.
no-sender = I act only for a person: write to me from your own account, in a private chat with me.

## Settings
settings-text =
    ⚙️ <b>Settings</b>
    Cancel a number that got no code shortly before it expires, so the money comes back: { $auto_cancel ->
        [on] <b>on</b>
       *[off] <b>off</b>
    }
button-auto-cancel-off = Turn auto-cancel off
button-auto-cancel-on = Turn auto-cancel on
settings-time-zone = Time zone: { $zone } (now { $now })
button-time-zone = 🕒 Time zone…
time-zone-ask = 🕒 Pick the time zone I show times in, or type one: a city (<code>Madrid</code>), a zone (<code>Europe/Madrid</code>) or an offset from UTC (<code>+3</code>).
time-zone-unknown = I do not know that time zone. Type a city (Madrid), a zone (Europe/Madrid) or an offset (+3), or pick one above.

## Fairness: one user's flood or slow provider
updates-busy = ⏳ Still busy with your earlier requests, one moment.
provider-slow = 🐢 { $provider } is answering very slowly, so I check your numbers there less often until it recovers; codes may arrive late.
