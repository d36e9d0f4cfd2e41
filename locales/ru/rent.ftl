## Аренда номеров (/rent, сообщение аренды, уведомления для арендованных номеров)
command-rent = Арендовать номер на часы или дни

rent-service-full = 📱 Весь номер (любой сервис)
rent-choose-service = <b>Аренда номера.</b> Выберите сервис (или напишите часть названия) или весь номер, чтобы получать SMS от кого угодно.
rent-choose-country = <b>{ $service }</b>: выберите страну.
rent-choose-operator = <b>{ $service }</b>, { $country }: выберите оператора.
rent-choose-hours = <b>{ $service }</b>, { $country }: на какой срок?
button-rent-hours = { $duration }
rent-sold-out = ❌ Для этого выбора нет номеров в аренду. Выберите другой срок или страну.
rent-confirm =
    <b>Подтвердите аренду</b>
    Сервис: { $service }
    Страна: { $country }
    Оператор: { $operator }
    Срок: { $duration }
    Цена: <b>{ $price }</b>
    Доступно: { $count }
    Ваш баланс: { $balance }
button-rent-confirm = ✅ Арендовать за { $price }
rent-refused = ❌ Не арендовано: { $reason }
rent-expired-menu = Это меню устарело. Отправьте /rent, чтобы начать заново.
rent-aborted = Аренда отменена. Ничего не арендовано.
rent-duplicate = Это подтверждение уже использовано; оно оплачивается только один раз.
rent-in-progress = Выполняю…
rent-unresolved = ⚠️ Провайдер ответил неясно. Я уточню у него и напишу здесь; дважды списано не будет.

rent-card =
    📱 <code>+{ $phone }</code>
    Аренда для: { $service }
    Страна: { $country }
    { $status }
rent-status-active = ⏳ Арендован до <b>{ $end }</b>. Каждое SMS придёт сюда новым сообщением.
rent-status-finished = ✔️ Завершена.
rent-status-cancelled = ↩️ Отменена; деньги вернулись на баланс.
rent-status-expired = ⌛ Аренда закончилась.
button-rent-finish = ✅ Завершить
button-rent-cancel = ❌ Отменить
button-rent-extend = ➕ Продлить

rent-press-finished = Завершено.
rent-press-cancelled = Отменено; деньги вернулись.
rent-cancel-refused = Провайдер отказал в отмене: аренду можно отменить только в первые 20 минут и до первого SMS. Её можно завершить.
rent-press-ended = Эта аренда уже закончилась.
rent-press-refused = Невозможно: { $reason }

rent-extend-ask = На сколько часов продлить <code>+{ $phone }</code> (сейчас до { $end })?
rent-extend-dismissed = ✖️ Не продлено: аренда заканчивается в прежнее время.
rent-extend-confirm =
    <b>Продлить <code>+{ $phone }</code></b> на { $duration }
    Сейчас до: { $end }
    Цена: <b>{ $price }</b>
button-rent-pay-extension = ✅ Продлить за { $price }
rent-extended = ✅ <code>+{ $phone }</code> теперь арендован до <b>{ $end }</b>.
rent-extend-refused = ❌ Не продлено: { $reason }
rent-extend-unresolved = ⚠️ Провайдер ответил неясно. Я узнаю у него, продлена ли аренда, и напишу здесь; дважды списано не будет.

rent-sms-message =
    📩 SMS на <code>+{ $phone }</code>
    От: <b>{ $sender }</b> · { $at }
    <blockquote>{ $text }</blockquote>
rent-reminder = ⏰ Аренда <code>+{ $phone }</code> заканчивается в <b>{ $end }</b>. Продлите её, чтобы сохранить номер.
rent-ended-expired = ⌛ Аренда <code>+{ $phone }</code> закончилась.
rent-ended-finished = ✔️ Аренда <code>+{ $phone }</code> завершена.
rent-ended-cancelled = ↩️ Аренда <code>+{ $phone }</code> отменена; деньги вернулись на баланс.

error-rent-expired = аренда уже закончилась, продлить её нельзя. Отправьте /rent, чтобы взять новый номер.
error-max-hours = аренда стала бы длиннее, чем позволяет провайдер{ $max ->
        [none] .
       *[other] : можно добавить не больше { $max } ч.
    }
rent-reconciled-rented = ✅ Провайдер подтвердил вашу прошлую аренду:
rent-reconciled-not-rented = ↩️ Прошлая аренда ({ $service }) не состоялась: у провайдера нет аренды по ней.
rent-reconciled-checking = ⏳ Аренда ({ $service }) прервалась до ответа провайдера. Я проверяю у провайдера, арендован ли номер, и сообщу здесь.
rent-reconciled-adopted-cancelled = ⚠️ Провайдер всё-таки арендовал <code>+{ $phone }</code> по прошлой аренде ({ $service }). Раз я сообщил, что она не состоялась, я отменил её с возвратом денег.
rent-reconciled-adopted-kept = ⚠️ Провайдер всё-таки арендовал номер по прошлой аренде ({ $service }), хотя я сообщил, что она не состоялась, и отказался её отменить. Отмените её ниже, если можно, или оставьте:
rent-extension-settled = ✅ Провайдер подтвердил продление: <code>+{ $phone }</code> арендован до <b>{ $end }</b>.
rent-extension-not-made = ↩️ Продление <code>+{ $phone }</code> не состоялось: за него ничего не списано.

## /history: the rents under the activations
history-rents-header = <b>Аренда</b>
history-rent-line = { $date } · { $service } · <code>+{ $phone }</code> · { $duration } · { $cost } · { $state }
history-rent-state-active = активна
history-rent-state-finished = завершена
history-rent-state-cancelled = отменена
history-rent-state-expired = истекла
history-rent-total = { $count ->
        [one] { $count } аренда
        [few] { $count } аренды
       *[many] { $count } аренд
    }, потрачено всего: <b>{ $total }</b>

## Durations (rents): hours below a day, whole days above
duration-hours = { $hours } ч
duration-days = { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    }
rent-finish-ask = Завершить аренду <code>+{ $phone }</code> сейчас? Номер перестанет получать SMS, а оставшееся время не возвращается.
button-rent-finish-yes = ✅ Да, завершить
button-rent-finish-no = ↩️ Оставить
