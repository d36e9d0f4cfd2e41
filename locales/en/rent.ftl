## Renting numbers (/rent, the rent message, pushes for rented numbers)
command-rent = Rent a number for hours or days

rent-service-full = 📱 Whole number (any service)
rent-choose-service = <b>Rent a number.</b> Pick a service (or type part of its name), or the whole number to receive SMS from anyone.
rent-choose-country = <b>{ $service }</b>: pick a country.
rent-choose-operator = <b>{ $service }</b>, { $country }: pick an operator.
rent-choose-hours = <b>{ $service }</b>, { $country }: for how long?
button-rent-hours = { $duration }
rent-sold-out = ❌ No numbers to rent for this choice. Pick another duration or country.
rent-confirm =
    <b>Confirm the rent</b>
    Service: { $service }
    Country: { $country }
    Operator: { $operator }
    Duration: { $duration }
    Price: <b>{ $price }</b>
    Available: { $count }
    Your balance: { $balance }
button-rent-confirm = ✅ Rent for { $price }
rent-refused = ❌ Not rented: { $reason }
rent-expired-menu = This menu has expired. Send /rent to start again.
rent-aborted = Rent cancelled. Nothing was rented.
rent-duplicate = This confirmation was already used; it pays once only.
rent-in-progress = Working on it…
rent-unresolved = ⚠️ The provider did not answer clearly. I will check with it and tell you here; you will never be charged twice.

rent-card =
    📱 <code>+{ $phone }</code>
    Rented for: { $service }
    Country: { $country }
    { $status }
rent-status-active = ⏳ Rented until <b>{ $end }</b>. Every SMS comes here as a new message.
rent-status-finished = ✔️ Finished.
rent-status-cancelled = ↩️ Cancelled; the money is back on your balance.
rent-status-expired = ⌛ The rent has ended.
button-rent-finish = ✅ Finish
button-rent-cancel = ❌ Cancel
button-rent-extend = ➕ Extend

rent-press-finished = Finished.
rent-press-cancelled = Cancelled; the money is back.
rent-cancel-refused = The provider refused to cancel: a rent can be cancelled only in its first 20 minutes and before any SMS arrived. You can finish it instead.
rent-press-ended = This rent has already ended.
rent-press-refused = Not possible: { $reason }

rent-extend-ask = Extend <code>+{ $phone }</code> (now until { $end }) by how many hours?
rent-extend-dismissed = ✖️ Not extended: the rent keeps its end time.
rent-extend-confirm =
    <b>Extend <code>+{ $phone }</code></b> by { $duration }
    Now until: { $end }
    Price: <b>{ $price }</b>
button-rent-pay-extension = ✅ Extend for { $price }
rent-extended = ✅ <code>+{ $phone }</code> is now rented until <b>{ $end }</b>.
rent-extend-refused = ❌ Not extended: { $reason }
rent-extend-unresolved = ⚠️ The provider did not answer clearly. I will find out from it whether the rent was extended and tell you here; you will never be charged twice.

rent-sms-message =
    📩 SMS to <code>+{ $phone }</code>
    From: <b>{ $sender }</b> · { $at }
    <blockquote>{ $text }</blockquote>
rent-reminder = ⏰ The rent of <code>+{ $phone }</code> ends at <b>{ $end }</b>. Extend it to keep the number.
rent-ended-expired = ⌛ The rent of <code>+{ $phone }</code> has ended.
rent-ended-finished = ✔️ The rent of <code>+{ $phone }</code> is finished.
rent-ended-cancelled = ↩️ The rent of <code>+{ $phone }</code> was cancelled; the money is back on your balance.

error-rent-expired = the rent has already ended, so it can no longer be extended. Send /rent for a new number.
error-max-hours = that would make the rent longer than the provider allows{ $max ->
        [none] .
       *[other] : at most { $max } more hours.
    }
rent-reconciled-rented = ✅ The provider confirmed your earlier rent:
rent-reconciled-not-rented = ↩️ Your earlier rent of { $service } did not go through: the provider lists no rent for it.
rent-reconciled-checking = ⏳ Your rent of { $service } was interrupted before the provider answered. I am checking with the provider whether it was rented and will tell you here.
rent-reconciled-adopted-cancelled = ⚠️ The provider rented <code>+{ $phone }</code> for your earlier rent of { $service } after all. As I had told you it failed, I cancelled it for a refund.
rent-reconciled-adopted-kept = ⚠️ The provider rented a number for your earlier rent of { $service } after all, though I had told you it failed, and it refused to cancel it. Cancel it below if you can, or keep it:
rent-extension-settled = ✅ The provider confirms your extension: <code>+{ $phone }</code> is rented until <b>{ $end }</b>.
rent-extension-not-made = ↩️ Your extension of <code>+{ $phone }</code> did not go through: nothing was charged for it.

## /history: the rents under the activations
history-rents-header = <b>Rents</b>
history-rent-line = { $date } · { $service } · <code>+{ $phone }</code> · { $duration } · { $cost } · { $state }
history-rent-state-active = live
history-rent-state-finished = finished
history-rent-state-cancelled = cancelled
history-rent-state-expired = expired
history-rent-total = { $count ->
        [one] { $count } rent
       *[other] { $count } rents
    }, spent in all: <b>{ $total }</b>

## Durations (rents): hours below a day, whole days above
duration-hours = { $hours } h
duration-days = { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
rent-finish-ask = Finish the rent of <code>+{ $phone }</code> now? The number stops receiving SMS and the rest of the rent is not refunded.
button-rent-finish-yes = ✅ Yes, finish
button-rent-finish-no = ↩️ Keep it
