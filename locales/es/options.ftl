## Opciones de compra, favoritos y operador predeterminado (confirmación de /buy, /settings)

button-verification-on = 📞 Verificación por llamada: no (activar)
button-verification-off = 📞 Verificación por llamada: sí (desactivar)
button-forward-on = ↪️ Desvío de llamadas: no (activar)
button-forward-off = ↪️ Desvío de llamadas: sí (desactivar)
options-line-verification = 📞 Verificación por llamada: el código llega con una llamada.
options-line-forward = ↪️ Las llamadas al número se desvían a <b>{ $number }</b>. El proveedor puede cobrar un extra por el desvío.
options-ask-forward-number = Envía el número al que desviar las llamadas, en formato internacional, p. ej. <code>+34 612 345 678</code>.
options-bad-forward-number = ❌ Eso no es un número de teléfono. Envía de 7 a 15 dígitos con el código de país, p. ej. <code>+34 612 345 678</code>.
options-card-verification = 📞 Verificación por llamada
options-card-forward = ↪️ Desviado a { $number }

button-star-service = ☆ { $service }: añadir a favoritos
button-unstar-service = ⭐ { $service }: quitar de favoritos
button-star-country = ☆ { $country }: añadir a favoritos
button-unstar-country = ⭐ { $country }: quitar de favoritos
button-default-operator = 📌 Hacer { $operator } mi operador predeterminado
button-undefault-operator = 📌 { $operator } es mi predeterminado: quitar

settings-favourite-services = ⭐ Servicios favoritos: { $services }
settings-favourite-countries = ⭐ Países favoritos: { $countries }
settings-default-operator = 📌 Operador predeterminado: { $operator }
settings-none = ninguno
settings-favourites-hint = Añade favoritos con ☆ y el operador predeterminado con 📌 en /buy; toca uno abajo para quitarlo.
button-remove-favourite = ✖️ { $name }
button-remove-default-operator = ✖️ Operador predeterminado { $operator }

press-working = ⏳ Consultando al proveedor…
