# /provider: a provider URL typed by a user, refused by the operator's policy
# (SMSBOT_CUSTOM_PROVIDERS). $reason is "off" (presets only) or "private".
provider-url-refused = { $reason ->
    [off] ❌ This bot only works with the providers in the list. Pick one of them.
   *[other] ❌ That address is not on the public internet, so this bot will not call it. Send the provider's public URL, or pick one from the list.
}
