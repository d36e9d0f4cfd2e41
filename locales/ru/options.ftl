## Опции покупки, избранное и оператор по умолчанию (экран подтверждения /buy, /settings)

button-verification-on = 📞 Проверка звонком: выкл (включить)
button-verification-off = 📞 Проверка звонком: вкл (выключить)
button-forward-on = ↪️ Переадресация: выкл (включить)
button-forward-off = ↪️ Переадресация: вкл (выключить)
options-line-verification = 📞 Проверка звонком: код придёт звонком.
options-line-forward = ↪️ Звонки на номер переадресуются на <b>{ $number }</b>. Провайдер может взять доплату за переадресацию.
options-ask-forward-number = Отправьте номер, на который переадресовать звонки, в международном формате, например <code>+7 912 345-67-89</code>.
options-bad-forward-number = ❌ Это не номер телефона. Отправьте от 7 до 15 цифр с кодом страны, например <code>+7 912 345-67-89</code>.
options-card-verification = 📞 Проверка звонком
options-card-forward = ↪️ Переадресация на { $number }

button-star-service = ☆ { $service }: в избранное
button-unstar-service = ⭐ { $service }: убрать из избранного
button-star-country = ☆ { $country }: в избранное
button-unstar-country = ⭐ { $country }: убрать из избранного
button-default-operator = 📌 Сделать { $operator } оператором по умолчанию
button-undefault-operator = 📌 { $operator } по умолчанию: отменить

settings-favourite-services = ⭐ Избранные сервисы: { $services }
settings-favourite-countries = ⭐ Избранные страны: { $countries }
settings-default-operator = 📌 Оператор по умолчанию: { $operator }
settings-none = нет
settings-favourites-hint = Избранное добавляется кнопкой ☆, оператор по умолчанию — кнопкой 📌 в /buy; нажмите ниже, чтобы убрать.
button-remove-favourite = ✖️ { $name }
button-remove-default-operator = ✖️ Оператор по умолчанию { $operator }

press-working = ⏳ Спрашиваю провайдера…
