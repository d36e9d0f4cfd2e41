# smsbot, русский. Сообщения — Telegram HTML: переменные приходят уже экранированными.
# Обращение на «вы». Числа: [one] 1, 21 · [few] 2–4, 22 · [many] 0, 5–20, 25 · [other] дроби.

## Command menu
command-start = Начало и обзор
command-buy = Купить номер
command-active = Ваши активные номера
command-balance = Баланс и кешбэк
command-history = Прошлые номера и расходы
command-key = Указать API-ключ провайдера
command-forgetkey = Удалить ваш API-ключ
command-provider = Выбрать провайдера
command-lang = Язык
command-help = Как это работает
command-cancel = Отменить текущий шаг
command-settings = Автоотмена и другие настройки

## Start and help
start-welcome =
    👋 Я выдаю номера телефонов для регистраций (Telegram, WhatsApp, Google…) и присылаю сюда SMS-код, как только он придёт.

    Провайдер: <b>{ $provider }</b>
    { $has_key ->
        [yes] Ваш ключ: <code>{ $masked }</code>. Отправьте /buy, чтобы получить номер.
       *[no] Сначала пришлите мне API-ключ провайдера командой /key.
    }
help-text =
    <b>Как это работает</b>
    1. /key — пришлите API-ключ провайдера (я удалю ваше сообщение и сохраню ключ в зашифрованном виде).
    2. /buy — выберите сервис, страну и оператора, затем подтвердите. Одно нажатие — один номер.
    3. Код придёт сюда новым сообщением. Кнопки у номера: «SMS отправлено», «Ещё код», «Завершить», «Отменить».
    Если на номер не пришёл код, он отменяется до истечения срока, и деньги возвращаются.

    /rent — номер в аренду на часы или дни: каждое SMS на него приходит сюда
    /multi — один номер для нескольких сервисов · /prices — цены и наличие
    /active — активные номера · /history — прошлые · /balance · /settings · /provider · /lang · /cancel
    /forgetkey — удалить ваш API-ключ из бота
not-allowed = Извините, это закрытый бот.
unknown-text = Не понимаю. Отправьте /buy, чтобы получить номер, или /help.
private-only = В целях безопасности сделайте это в личном чате со мной.
only-text = Я понимаю только текстовые сообщения и кнопки. Отправьте /help, чтобы узнать, что я умею.

## API keys
key-ask = Пришлите следующим сообщением ваш API-ключ для <b>{ $provider }</b>. Я сразу удалю это сообщение и сохраню ключ в зашифрованном виде.
key-checking = Проверяю ключ у { $provider }…
key-saved = ✅ Ключ сохранён (<code>{ $masked }</code>). Баланс: <b>{ $balance }</b>. Отправьте /buy, чтобы получить номер.
key-rejected = ❌ { $provider } не принимает этот ключ. Проверьте его.
key-malformed = ❌ Это не похоже на API-ключ (без пробелов, от 8 до 256 символов).
key-too-many = Слишком много попыток. Попробуйте снова через { $minutes ->
        [one] { $minutes } минуту
        [few] { $minutes } минуты
        [many] { $minutes } минут
       *[other] { $minutes } минуты
    }.
key-unreadable = Я больше не могу прочитать сохранённый ключ. Пожалуйста, пришлите его снова командой /key.
key-none = У вас ещё нет ключа для <b>{ $provider }</b>. Отправьте /key, чтобы добавить его.
key-forgotten = 🗑 Ваш ключ для { $provider } удалён.
key-nothing-to-forget = Ключа для { $provider } не было — удалять нечего.
key-forget-ask = Удалить ваш ключ для { $provider }? Чтобы снова покупать, придётся отправить его через /key.
button-forget-key-yes = 🗑 Да, удалить
button-forget-key-no = ↩️ Оставить
key-kept = Ключ для { $provider } остаётся.
key-busy = ❌ У вас есть активные номера, купленные с ключом { $provider }: завершите или отмените их (/active), прежде чем менять или удалять ключ.
key-deleted-notice = (Ваше сообщение с ключом удалено.)
key-not-deleted-notice = ⚠️ Не получилось удалить ваше сообщение с ключом: пожалуйста, удалите его сами.
key-entry-ended = Ввод ключа завершён, следующее сообщение не будет считаться ключом: отправьте /key, чтобы попробовать снова.

## Providers
provider-choose = Выберите провайдера. Сейчас: <b>{ $provider }</b>. ✓ — провайдеры, для которых у вас есть ключ.
provider-custom-button = Другой провайдер (URL)…
provider-ask-url = Пришлите URL API провайдера, например <code>https://example.com/stubs/handler_api.php</code>.
provider-set = Выбран провайдер <b>{ $provider }</b>. { $has_key ->
        [yes] Ключ для него уже есть.
       *[no] Отправьте /key, чтобы добавить ключ для него.
    }
provider-bad-url = ❌ Это не название провайдера и не http(s)-URL без ключа внутри. Пришлите другой URL или нажмите «Отмена».
provider-kept = Провайдер не изменён: <b>{ $provider }</b>.

## Balance
balance-text =
    💰 Баланс: <b>{ $balance }</b>
    Кешбэк: { $cashback }

## Buying
buy-choose-service = Выберите сервис или введите часть его названия для поиска.
buy-search-results = Сервисы по запросу «{ $query }»:
buy-no-service-match = По запросу «{ $query }» сервисов нет. Попробуйте другое слово или выберите из списка.
buy-choose-country = <b>{ $service }</b>: выберите страну (сначала самые дешёвые) или введите часть её названия.
buy-no-country-match = По запросу «{ $query }» стран нет.
buy-no-offers = Сейчас ни одна страна не продаёт номера для <b>{ $service }</b>. Попробуйте другой сервис.
buy-country-line = { $flag }{ $country } · { $price } · в наличии { $count }
buy-choose-operator = <b>{ $service }</b>, { $country }: выберите оператора.
buy-operator-any = Любой оператор
buy-confirm =
    <b>Подтвердите покупку</b>
    Сервис: { $service }
    Страна: { $country }
    Оператор: { $operator }
    Цена: <b>{ $price }</b>
    Доступно: { $count }
    Ваш баланс: { $balance }
buy-confirm-button = ✅ Купить за { $price }
buy-max-price-button = 💲 Макс. цена…
button-new-number = 🔁 Новый номер
new-number-other-provider = Этот номер был от { $provider }. Переключитесь на него через /provider, чтобы взять такой же номер, или отправьте /buy.
button-other-operator = 📶 Другой оператор
buy-max-price-line = Макс. цена (Free Price): <b>{ $max_price }</b>
buy-ask-max-price = Отправьте максимальную цену за этот номер, например <code>15.50</code> (0 — без ограничения). Провайдер продаст по своей цене, но не дороже.
buy-bad-max-price = ❌ Это не сумма. Отправьте число вроде <code>15.50</code> или 0 — без ограничения.
buy-max-price-below = ❌ Ваша максимальная цена { $max_price } ниже текущей цены { $price }: провайдер откажет. Поднимите максимальную цену (0 — без ограничения) или выберите другую страну.
buy-checked-not-bought = ↩️ Ответ провайдера на покупку не удалось прочитать, поэтому я проверил список ваших номеров у него: номер не куплен, деньги не списаны. Можно попробовать ещё раз.
buy-balance-short = ❌ Цена — { $price }, а на балансе { $balance }. Пополните счёт у провайдера и попробуйте снова.
buy-sold-out = ❌ Для этого выбора номеров не осталось. Выберите другую страну или оператора.
buy-aborted = Покупка отменена. Ничего не куплено.
buy-expired-menu = Это меню устарело. Отправьте /buy, чтобы начать заново.
buy-in-progress = Покупаю…
buy-not-recorded = ❌ Не куплено: сейчас не удалось записать покупку (база данных занята или переполнена), поэтому я не обращался к провайдеру и ничего не списано. Нажмите «Купить» ещё раз через минуту.
confirm-not-recorded = ❌ Ничего не сделано: я не смог это записать (моя база данных занята или переполнена), поэтому не обращался к провайдеру и ничего не списано. Нажмите кнопку ещё раз через минуту.
buy-unrecorded = ⚠️ Провайдер ответил, но сейчас не удалось записать покупку (база данных занята или переполнена). Я уточню у провайдера и сообщу здесь; дважды с вас не спишут.
buy-duplicate = Это подтверждение уже использовано: оно покупает только один номер.
buy-refused = ❌ Не куплено: { $reason }
balance-after-purchase = 💰 Ваш баланс теперь: { $balance }
request-failed = ❌ Провайдер не смог ответить: { $reason }
buy-unresolved = ⏳ Провайдер не ответил однозначно, поэтому я ещё проверяю, куплен ли номер. Я продолжу уточнять у провайдера и сообщу здесь; дважды деньги не спишутся.
reconciled-bought = ✅ Провайдер подтвердил вашу прошлую покупку:
reconciled-not-bought = ↩️ Прошлая покупка { $service } не состоялась: у провайдера нет номера по ней. Если номер всё же появится, я отменю его с возвратом денег.
reconciled-adopted = ⚠️ Провайдер всё-таки продал номер по прошлой покупке { $service }. Раз я сообщил, что она не состоялась, я отменяю его с возвратом денег (если раньше не придёт код):
reconciled-checking = ⏳ Покупка { $service } прервалась до ответа провайдера. Я проверяю у провайдера, куплен ли номер, и сообщу здесь.

## Buttons
button-prev = ◀️
button-next = ▶️
button-back = ↩️ Назад
button-try-again = 🔁 Повторить
button-cancel = ✖️ Отмена
button-sms-sent = ✉️ SMS отправлено
button-another-code = 🔁 Ещё код
button-finish = ✅ Завершить
button-cancel-activation = ❌ Отменить
button-refresh = 🔄 Обновить
button-cancel-auto = ⏰ Отменить автоматически

## The activation message
activation-card =
    📱 <code>+{ $phone }</code>
    { $service } · { $country } · { $operator }
    Стоимость: { $cost }
    { $status }
time-countdown = через { $minutes } мин · { $time }
activation-status-waiting = ⏳ Ждём SMS; номер закончится { $until }.
activation-status-code = 🔑 Код: <code>{ $code }</code>
activation-status-retry = ⏳ Ждём ещё один код; номер закончится { $until }.
activation-status-finished = ✔️ Завершено.
activation-status-cancelled = ↩️ Отменено, возврат { $cost }.
activation-status-expired = ⌛ Срок истёк без кода, возврат { $cost }.
activation-status-waiting-call = ⏳ Ждём звонка; номер закончится { $until }.
activation-status-call-came = 📞 Звонок пришёл, код: <code>{ $code }</code>. Номер завершён: после звонка поставщик не даёт ничего менять, оплата остаётся.
activation-cancel-scheduled = ⏰ Автоматическая отмена в { $at }.
code-message =
    🔑 <code>{ $code }</code> — { $service }, <code>+{ $phone }</code>
    <blockquote>{ $text }</blockquote>
code-message-no-text = 🔑 <code>{ $code }</code> — { $service }, <code>+{ $phone }</code>
ended-expired = ⌛ На <code>+{ $phone }</code> код не пришёл; провайдер завершил активацию, сумма { $cost } возвращена на ваш баланс.
ended-auto-cancelled = ↩️ На <code>+{ $phone }</code> код не пришёл, поэтому номер отменён до истечения срока: сумма { $cost } возвращена на ваш баланс.
ended-finished = ✔️ Номер <code>+{ $phone }</code> завершён.

## Button answers
press-done = Готово.
press-refreshed = 🔄 Проверено у провайдера в { $at }.
press-refused = Сейчас это невозможно; в сообщении показано текущее состояние.
press-ended = Эта активация уже завершена.
press-not-yours = Это не ваша кнопка.
press-stale = Эта кнопка устарела.
press-sms-sent = Принято: SMS отправлено.
cancel-later = Провайдер разрешает отмену с { $at }. Нажмите «Отменить автоматически», и я отменю номер в это время.
cancel-scheduled = Я отменю номер в { $at }, если код не придёт.

## Lists
active-none = У вас нет активных номеров. Отправьте /buy, чтобы получить номер.
active-header = { $count ->
        [one] У вас { $count } активный номер:
        [few] У вас { $count } активных номера:
        [many] У вас { $count } активных номеров:
       *[other] У вас { $count } активного номера:
    }
active-line = { $mark } <code>+{ $phone }</code> · { $service }
activation-card-moved = ↓ Карточка номера <code>+{ $phone }</code> теперь ниже.
button-cancel-all = ❌ Отменить все без кода ({ $count })
active-cancel-all-ask = Отменить номера без кода ({ $count })? Деньги вернутся.
button-cancel-all-yes = ❌ Да, отменить { $count }
active-cancelled-all = ❌ Отменено: { $cancelled }. ⏰ Будут отменены, как только провайдер позволит: { $later }. Сейчас невозможно: { $failed }.
history-empty = Прошлых номеров пока нет.
history-line = { $date } · { $service } · <code>+{ $phone }</code> · { $cost } · { $state }
history-total = { $count ->
        [one] { $count } номер
        [few] { $count } номера
        [many] { $count } номеров
       *[other] { $count } номера
    }, всего потрачено: <b>{ $total }</b>
history-total-held = { $count ->
        [one] { $count } номер
        [few] { $count } номера
        [many] { $count } номеров
       *[other] { $count } номера
    }, всего потрачено: <b>{ $total }</b>; удержано за активные номера: <b>{ $held }</b> (вернётся, если код не придёт)
history-state-finished = завершён
history-state-cancelled = отменён
history-state-expired = истёк
history-state-active = активен

## Language and cancel
lang-choose = Выберите язык:
lang-set = Язык: русский.
cancel-done = ✖️ Отменено. Ваши номера не затронуты; /buy — начать заново.
cancel-nothing = Отменять нечего: сейчас нет начатого шага. Ваши номера — в /active.

## Provider errors, by kind
error-auth = провайдер не принимает ваш ключ. Отправьте /key, чтобы указать его заново.
error-blocked = ваш аккаунт у провайдера заблокирован{ $until ->
        [none] .
       *[other] { " " }до { $until }.
    }
error-funds = на балансе недостаточно средств. Пополните счёт на сайте провайдера и попробуйте снова (/balance покажет баланс).
error-no-numbers = для этого выбора не осталось номеров.
error-price-limit = цена выше вашего лимита.
error-invalid = провайдер отклонил запрос как некорректный.
error-not-found = провайдер не знает этот номер.
error-state = невозможно в текущем состоянии номера.
error-server = у провайдера внутренняя ошибка. Попробуйте через минуту.
error-unavailable = провайдер сейчас работает нестабильно. Попробуйте через минуту.
error-timeout = провайдер не ответил вовремя. Попробуйте через минуту.
error-address-refused = адрес вашего провайдера теперь ведёт не в публичный интернет, поэтому бот не будет к нему обращаться; ничего не отправлено. Выберите провайдера: /provider.
error-unexpected = провайдер прислал ответ, который я не могу разобрать. Попробуйте позже.
error-generic = у меня что-то пошло не так; ничего не потеряно. Попробуйте ещё раз.
no-sender = Я работаю только с людьми: напишите мне со своего аккаунта в личном чате.

## Settings
settings-text =
    ⚙️ <b>Настройки</b>
    Отменять номер без кода незадолго до истечения, чтобы деньги вернулись: { $auto_cancel ->
        [on] <b>вкл.</b>
       *[off] <b>выкл.</b>
    }
button-auto-cancel-off = Выключить автоотмену
button-auto-cancel-on = Включить автоотмену
settings-time-zone = Часовой пояс: { $zone } (сейчас { $now })
button-time-zone = 🕒 Часовой пояс…
time-zone-ask = 🕒 Выберите часовой пояс, в котором показывать время, или напишите его: город (<code>Moscow</code>), пояс (<code>Europe/Moscow</code>) или сдвиг от UTC (<code>+3</code>).
time-zone-unknown = Не знаю такого часового пояса. Напишите город (Moscow), пояс (Europe/Moscow) или сдвиг (+3) либо выберите его выше.

## Fairness: one user's flood or slow provider
updates-busy = ⏳ Ещё обрабатываю ваши предыдущие запросы, минутку.
provider-slow = 🐢 { $provider } отвечает очень медленно, поэтому я реже проверяю там ваши номера, пока он не восстановится; коды могут приходить с задержкой.
