## Purchase options, favourites and the default operator (the /buy confirm screen, /settings)

button-verification-on = 📞 Call verification: off (turn on)
button-verification-off = 📞 Call verification: on (turn off)
button-forward-on = ↪️ Call forwarding: off (turn on)
button-forward-off = ↪️ Call forwarding: on (turn off)
options-line-verification = 📞 Call verification: the code comes as a phone call.
options-line-forward = ↪️ Calls to the number are forwarded to <b>{ $number }</b>. The provider may charge extra for forwarding.
options-ask-forward-number = Send the phone number calls should be forwarded to, in international form, e.g. <code>+44 7700 900123</code>.
options-bad-forward-number = ❌ That is not a phone number. Send 7 to 15 digits with the country code, e.g. <code>+44 7700 900123</code>.
options-card-verification = 📞 Call verification
options-card-forward = ↪️ Forwarded to { $number }

button-star-service = ☆ { $service }: add to favourites
button-unstar-service = ⭐ { $service }: remove from favourites
button-star-country = ☆ { $country }: add to favourites
button-unstar-country = ⭐ { $country }: remove from favourites
button-default-operator = 📌 Make { $operator } my default operator
button-undefault-operator = 📌 { $operator } is my default: unset

settings-favourite-services = ⭐ Favourite services: { $services }
settings-favourite-countries = ⭐ Favourite countries: { $countries }
settings-default-operator = 📌 Default operator: { $operator }
settings-none = none
settings-favourites-hint = Add favourites with ☆ and the default operator with 📌 in /buy; tap one below to remove it.
button-remove-favourite = ✖️ { $name }
button-remove-default-operator = ✖️ Default operator { $operator }

press-working = ⏳ Asking the provider…
