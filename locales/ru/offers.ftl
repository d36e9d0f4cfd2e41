# Issue 17: лучшее предложение среди провайдеров пользователя, повторные попытки, лимиты.

## Сравнение в /buy (только при ключах у двух провайдеров и больше)
offers-heading = <b>У ваших провайдеров:</b>
offers-row = { $mark } { $provider } · { $price } · осталось { $stock }{ $rate }
offers-rate = ✅ { $percent } %
offers-rate-time = ✅ { $percent } % · ~{ $seconds } с
offers-dropped-timeout = ⏱ { $provider }: не ответил вовремя, не учтён
offers-dropped-key-refused = 🔑 { $provider }: провайдер отклонил ваш ключ (отправьте /key { $provider } с новым)
offers-dropped-key-unreadable = 🔑 { $provider }: ключ нужно ввести заново
offers-dropped-not-sold = { $provider }: там не продаётся
offers-dropped-error = ⚠️ { $provider }: ответил с ошибкой, не учтён
offers-none-buyable = ❌ Сейчас ни у одного провайдера нет номера для этого.
offers-pinned-none = ❌ У { $provider } сейчас нет номера для этого. Выберите другого провайдера или любого.
offers-buying-best = Покупка по лучшему предложению: <b>{ $provider }</b> (любой провайдер).
offers-buying-pinned = Покупка у <b>{ $provider }</b> (закреплён).
offers-provider-line = Провайдер: <b>{ $provider }</b>
offers-any-provider = Любой провайдер (лучшее предложение)
offers-other-currency = {" "}· другая валюта: не сравнивается с остальными
offers-prices-entry = { $mark }{ $provider } { $price } ({ $stock })
offers-prices-line = {"    "}↳ { $rows }

## Повторять до кода: автозамена в пределах бюджета
autoreplace-button = 🔁 Повторять, пока не придёт код…
autoreplace-setup =
    <b>Повторять до кода</b>: { $service }, { $country }
    Я покупаю номер и жду код { $minutes } мин. Нет кода — отменяю номер ради возврата и покупаю следующий (у следующего по качеству провайдера, если этот подвёл), до { $tries } номеров. Код завершает попытки; «Стоп» — сразу.
    Всего будет потрачено не больше <b>{ $cap }</b> (возвраты провайдер вернёт).
autoreplace-setup-max-price = Каждый номер не дороже <b>{ $max }</b> (ваша максимальная цена).
autoreplace-tries-button = Номеров: { $tries }
autoreplace-wait-button = Ждать: { $minutes } мин
autoreplace-start-button = ▶ Начать, не больше { $cap }
autoreplace-starting = Начинаю…
autoreplace-stopping = Останавливаю…
autoreplace-stop-button = ⏹ Стоп
autoreplace-card-try = 🔁 Попытка { $attempt } из { $tries } · { $provider } · { $country } · { $price }
autoreplace-card-buying = Покупаю номер…
autoreplace-card-waiting =
    📱 <code>+{ $phone }</code>
    Жду код (до { $minutes } мин), потом следующий номер.
autoreplace-card-code = ✅ Код пришёл на попытке { $tries }: готово. Код — в сообщении ниже.
autoreplace-card-cancelled = ⏹ Остановлено. Номер, ждавший код, отменён ради возврата.
autoreplace-card-exhausted = ❌ Ни одного кода на { $tries } номерах. Каждый отменён ради возврата.
autoreplace-card-capped = 💲 Остановлено: следующий номер превысил бы лимит { $cap } (или ваш лимит трат).
autoreplace-card-failed = ❌ Остановлено: сейчас ни у одного провайдера нет номера для этого.
autoreplace-card-over-max = ❌ Остановлено: сейчас ни у одного провайдера нет номера по вашей максимальной цене ({ $max }).

## Лимиты трат
cap-refused = { $period ->
    [day] ❌ Не куплено: это превысит ваш дневной лимит { $cap }. Осталось на сегодня: <b>{ $remaining }</b> (стоит { $price }). Изменить — в /settings.
   *[other] ❌ Не куплено: это превысит ваш месячный лимит { $cap }. Осталось на этот месяц: <b>{ $remaining }</b> (стоит { $price }). Изменить — в /settings.
}
settings-cap = { $period ->
    [day] Дневной лимит: <b>{ $cap }</b> (осталось { $remaining } сегодня)
   *[other] Месячный лимит: <b>{ $cap }</b> (осталось { $remaining } в этом месяце)
}
settings-cap-none = { $period ->
    [day] Дневной лимит: нет
   *[other] Месячный лимит: нет
}
button-set-cap = { $period ->
    [day] 💲 Дневной лимит…
   *[other] 💲 Месячный лимит…
}
settings-ask-cap = { $period ->
    [day] Отправьте, сколько бот может потратить за вас за день (UTC), например <code>100</code>; 0 — без лимита.
   *[other] Отправьте, сколько бот может потратить за вас за месяц (UTC), например <code>1000</code>; 0 — без лимита.
}
settings-bad-cap = ❌ Это не сумма. Отправьте число, например <code>100</code>, или 0 — без лимита.

## Ключи у нескольких провайдеров (/key, /provider)
key-saved-for = ✅ Ключ для <b>{ $provider }</b> сохранён. Баланс там: <b>{ $balance }</b>. Текущий провайдер не меняется; /buy сравнивает ваших провайдеров.
provider-keys-line = Ваши ключи: { $providers }
provider-keys-hint = Добавьте ключ другого провайдера командой /key с его именем (например <code>/key grizzlysms</code>): /buy сравнит их все.
key-which = Для какого провайдера ключ? Пришлите следующим сообщением API-ключ для <b>{ $provider }</b> (✓ — текущий) или сначала выберите другого провайдера. Я сразу удалю это сообщение и сохраню ключ в зашифрованном виде. Или отправьте <code>/key имя</code> для другого провайдера.
