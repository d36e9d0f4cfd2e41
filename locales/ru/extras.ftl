# smsbot, русский: /prices, повторная активация, страницы /history, /multi, звонки, доп. услуги.

## Command menu
command-prices = Цены по сервису или стране
command-multi = Один номер для нескольких сервисов

## Prices
prices-choose-service = 💲 <b>Цены</b>: выберите сервис или введите часть названия.
prices-choose-country = 💲 <b>Цены</b>: выберите страну или введите часть названия.
prices-no-match = Ничего не найдено по запросу «{ $query }». Попробуйте другое слово.
button-prices-by-country = 🌍 По странам
button-prices-by-service = 🧩 По сервисам
prices-service-header = 💲 <b>{ $name }</b> по странам, сначала дешёвые (стр. { $page }/{ $pages }):
prices-country-header = 💲 <b>{ $name }</b> по сервисам, сначала дешёвые (стр. { $page }/{ $pages }):
button-prices-buy = 🛒 { $name } · { $price }
prices-line = { $name } · { $price } · { $count ->
        [one] { $count } номер
        [few] { $count } номера
        [many] { $count } номеров
       *[other] { $count } номера
    }
prices-empty = Сейчас нет цен для { $name }.
prices-closed = Список цен закрыт.
prices-refused = ❌ Не удалось получить цены: { $reason }
prices-expired = Этот список цен закрыт. Отправьте /prices снова.

## Another activation on a used number
button-extra-activation = 🔁 Использовать номер снова
extra-offer =
    <b>Ещё одна активация на тот же номер</b>
    Номер: <code>+{ $phone }</code>
    Сервис: { $service }
    Цена: <b>{ $price }</b>
button-extra-confirm = ✅ Купить за { $price }
extra-not-possible = ❌ Провайдер сейчас не может выдать этот номер снова: активация должна быть завершена с кодом, а номер не должен быть занят.
extra-expired = Это предложение устарело. Нажмите «Использовать номер снова» ещё раз.
extra-dismissed = ✖️ Не куплено: номер остаётся завершённым.

## History
history-page = 📜 Страница { $page }
button-history-extra = 🔁 { $service } +{ $phone }

## One number for several services
multi-choose-services = 🧩 <b>Один номер для нескольких сервисов.</b> Отметьте сервисы (выбрано: { $count }) или введите часть названия. Затем «Далее».
multi-no-match = Нет сервиса по запросу «{ $query }».
button-multi-next = ➡️ Далее: страна
multi-need-two = Выберите хотя бы два сервиса.
multi-choose-country = 🌍 Выберите страну для { $services } (только страны, где продают один номер для нескольких сервисов).
multi-no-countries = Сейчас ни одна страна не продаёт один номер для нескольких сервисов.
multi-confirm =
    <b>Подтвердите: один номер для нескольких сервисов</b>
    Сервисы: { $services }
    Страна: { $country }
    Цена: <b>{ $price }</b> (сумма цен сервисов)
    Ваш баланс: { $balance }
multi-forward-line = 📞 Переадресация звонков: { $service }
button-multi-forward = 📞 Переадресация: { $service }
button-multi-confirm = ✅ Купить за { $price }
multi-bought = ✅ Один номер, <code>+{ $phone }</code>, для { $count ->
        [one] { $count } сервиса
        [few] { $count } сервисов
        [many] { $count } сервисов
       *[other] { $count } сервиса
    }. У каждого своё сообщение ниже.
multi-expired = Этот выбор устарел. Отправьте /multi снова.
multi-aborted = Отменено. Ничего не куплено.
multi-not-offered = ❌ Этот провайдер не продаёт один номер для нескольких сервисов.

## Calls
call-line-waiting = 📞 Звонка пока нет.
call-line-arrived = 📞 Звонок с номера <code>{ $phone }</code>.
call-line-ended = 📞 Проверка звонком завершена.
button-call-status = 📞 Статус звонка
button-order-call = 📲 Позвонить мне с этого номера
call-ask-phone = Отправьте номер, на который нужно позвонить (только цифры, с кодом страны).
call-bad-phone = ❌ Это не номер телефона. Отправьте только цифры с кодом страны.
call-ordered = ✅ Звонок заказан: { $text }
call-not-offered = Этот провайдер такого не предлагает.
call-not-verification = Этот номер куплен не для проверки звонком.

## Added services on a forwarded number
button-additional = ➕ Добавить сервис к номеру
additional-choose = ➕ Выберите сервис для номера <code>+{ $phone }</code> (только сервисы с переадресацией).
additional-confirm =
    <b>Добавить { $service } к <code>+{ $phone }</code></b>
    Цена: фиксированная плата провайдера за доп. сервис (5 ₽ у SMS-Activate).
button-additional-confirm = ✅ Добавить { $service }
additional-expired = Это предложение устарело. Нажмите «Добавить сервис» на номере ещё раз.
