# smsbot, español. Los mensajes son Telegram HTML: las variables llegan ya escapadas.
# Se tutea al usuario.

## Command menu
command-start = Inicio y resumen
command-buy = Comprar un número
command-active = Tus números activos
command-balance = Saldo y cashback
command-history = Números anteriores y gastos
command-key = Guardar tu clave API del proveedor
command-forgetkey = Olvidar tu clave API
command-provider = Elegir el proveedor
command-lang = Idioma
command-help = Cómo funciona
command-cancel = Salir del paso actual
command-settings = Autocancelación y otros ajustes

## Start and help
start-welcome =
    👋 Te consigo números de teléfono para registros (Telegram, WhatsApp, Google…) y te envío aquí el código SMS en cuanto llega.

    Proveedor: <b>{ $provider }</b>
    { $has_key ->
        [yes] Tu clave: <code>{ $masked }</code>. Envía /buy para obtener un número.
       *[no] Primero envíame la clave API de tu proveedor con /key.
    }
help-text =
    <b>Cómo funciona</b>
    1. /key — dame la clave API de tu proveedor (borro tu mensaje y guardo la clave cifrada).
    2. /buy — elige un servicio, un país y un operador, y confirma. Un toque compra un número.
    3. El código llega aquí como un mensaje nuevo. Botones del número: «SMS enviado», «Otro código», «Terminar», «Cancelar».
    Si un número no recibe ningún código, se cancela antes de que caduque y se te devuelve el dinero.

    /rent — un número por horas o días: cada SMS que recibe llega aquí
    /multi — un número para varios servicios · /prices — precios y disponibilidad
    /active — tus números activos · /history — los anteriores · /balance · /settings · /provider · /lang · /cancel
    /forgetkey — borra tu clave API de este bot
not-allowed = Lo siento, este bot es privado.
unknown-text = No te he entendido. Envía /buy para obtener un número, o /help.
private-only = Por tu seguridad, haz esto en un chat privado conmigo.
only-text = Solo entiendo mensajes de texto y botones. Envía /help para ver lo que puedo hacer.

## API keys
key-ask = Envíame tu clave API de <b>{ $provider }</b> en tu próximo mensaje. Lo borro al instante y guardo la clave cifrada.
key-checking = Comprobando la clave con { $provider }…
key-saved = ✅ Clave guardada (<code>{ $masked }</code>). Saldo: <b>{ $balance }</b>. Envía /buy para obtener un número.
key-rejected = ❌ { $provider } no acepta esta clave. Revísala.
key-malformed = ❌ Eso no parece una clave API (sin espacios, de 8 a 256 caracteres).
key-too-many = Demasiados intentos. Vuelve a intentarlo en { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.
key-unreadable = Ya no puedo leer tu clave guardada. Vuelve a enviarla con /key.
key-none = Aún no tienes clave para <b>{ $provider }</b>. Envía /key para añadirla.
key-forgotten = 🗑 Tu clave de { $provider } se ha borrado.
key-nothing-to-forget = No había ninguna clave de { $provider } que borrar.
key-forget-ask = ¿Borrar tu clave de { $provider }? Para volver a comprar tendrás que enviarla con /key.
button-forget-key-yes = 🗑 Sí, borrarla
button-forget-key-no = ↩️ Mantenerla
key-kept = Tu clave de { $provider } se mantiene.
key-busy = ❌ Tienes números activos comprados con tu clave de { $provider }: termínalos o cancélalos (/active) antes de cambiar o borrar la clave.
key-deleted-notice = (He borrado tu mensaje con la clave).
key-not-deleted-notice = ⚠️ No he podido borrar tu mensaje con la clave: bórralo tú, por favor.
key-entry-ended = La introducción de la clave ha terminado y tu próximo mensaje no se leerá como clave: envía /key para intentarlo de nuevo.

## Providers
provider-choose = Elige tu proveedor. Actual: <b>{ $provider }</b>. ✓ marca aquellos para los que tienes clave.
provider-custom-button = Otro proveedor (URL)…
provider-ask-url = Envía la URL de la API del proveedor, p. ej. <code>https://example.com/stubs/handler_api.php</code>.
provider-set = Proveedor cambiado a <b>{ $provider }</b>. { $has_key ->
        [yes] Tu clave para él ya está lista.
       *[no] Envía /key para añadir tu clave.
    }
provider-bad-url = ❌ Eso no es un nombre de proveedor ni una URL http(s) sin clave. Envía otra URL o pulsa Cancelar.
provider-kept = El proveedor no cambia: <b>{ $provider }</b>.

## Balance
balance-text =
    💰 Saldo: <b>{ $balance }</b>
    Cashback: { $cashback }

## Buying
buy-choose-service = Elige un servicio o escribe parte de su nombre para buscarlo.
buy-search-results = Servicios que coinciden con «{ $query }»:
buy-no-service-match = Ningún servicio coincide con «{ $query }». Prueba otra palabra o elige de la lista.
buy-choose-country = <b>{ $service }</b>: elige un país (primero los más baratos) o escribe parte de su nombre.
buy-no-country-match = Ningún país coincide con «{ $query }».
buy-no-offers = Ahora mismo ningún país vende <b>{ $service }</b>. Prueba otro servicio.
buy-country-line = { $flag }{ $country } · { $price } · quedan { $count }
buy-choose-operator = <b>{ $service }</b>, { $country }: elige un operador.
buy-operator-any = Cualquier operador
buy-confirm =
    <b>Confirma la compra</b>
    Servicio: { $service }
    País: { $country }
    Operador: { $operator }
    Precio: <b>{ $price }</b>
    Disponibles: { $count }
    Tu saldo: { $balance }
buy-confirm-button = ✅ Comprar por { $price }
buy-max-price-button = 💲 Precio máximo…
button-new-number = 🔁 Número nuevo
new-number-other-provider = Este número era de { $provider }. Cambia a él con /provider para pedir otro igual, o envía /buy.
button-other-operator = 📶 Otro operador
buy-max-price-line = Precio máximo (Free Price): <b>{ $max_price }</b>
buy-ask-max-price = Envía lo máximo que pagarás por este número, p. ej. <code>15.50</code> (0 sin límite). El proveedor vende a su precio hasta ese límite.
buy-bad-max-price = ❌ Eso no es un importe. Envía un número como <code>15.50</code>, o 0 sin límite.
buy-max-price-below = ❌ Tu precio máximo { $max_price } está por debajo del precio actual, { $price }: el proveedor lo rechazaría. Sube el precio máximo (0 para ninguno) o elige otro país.
buy-checked-not-bought = ↩️ No pude leer la respuesta del proveedor a la compra, así que revisé su lista de tus números: no se compró ningún número y no se cobró nada. Puedes intentarlo de nuevo.
buy-balance-short = ❌ El precio es { $price }, pero tu saldo es { $balance }. Recarga en tu proveedor y vuelve a intentarlo.
buy-sold-out = ❌ No quedan números para esta opción. Elige otro país u operador.
buy-aborted = Compra cancelada. No se ha comprado nada.
buy-expired-menu = Este menú ha caducado. Envía /buy para empezar de nuevo.
buy-in-progress = Comprando…
buy-not-recorded = ❌ No comprado: no pude registrar la compra ahora mismo (mi base de datos está ocupada o llena), así que no pregunté al proveedor y no se cobró nada. Vuelve a pulsar Comprar en un minuto.
confirm-not-recorded = ❌ No se hizo nada: no pude anotarlo ahora (mi base de datos está ocupada o llena), así que no pregunté al proveedor y no se cobró nada. Vuelve a pulsar el botón en un minuto.
buy-unrecorded = ⚠️ El proveedor respondió, pero no pude registrar tu compra ahora mismo (mi base de datos está ocupada o llena). Lo comprobaré con el proveedor y te avisaré aquí; nunca se te cobrará dos veces.
buy-duplicate = Esta confirmación ya se usó; solo compra un número.
buy-refused = ❌ No se compró: { $reason }
balance-after-purchase = 💰 Tu saldo ahora: { $balance }
request-failed = ❌ El proveedor no pudo responder: { $reason }
buy-unresolved = ⏳ El proveedor no respondió con claridad, así que sigo comprobando si el número se compró. Seguiré preguntándole y te avisaré aquí; nunca se te cobrará dos veces.
reconciled-bought = ✅ El proveedor confirmó tu compra anterior:
reconciled-not-bought = ↩️ Tu compra anterior de { $service } no se realizó: el proveedor no tiene ningún número para ella. Si aun así aparece uno, lo cancelaré para que se te reembolse.
reconciled-adopted = ⚠️ El proveedor sí vendió un número para tu compra anterior de { $service }. Como te dije que había fallado, lo cancelo para que se te reembolse (salvo que llegue antes un código):
reconciled-checking = ⏳ Tu compra de { $service } se interrumpió antes de que el proveedor respondiera. Estoy comprobando con el proveedor si se compró un número y te avisaré aquí.

## Buttons
button-prev = ◀️
button-next = ▶️
button-back = ↩️ Atrás
button-try-again = 🔁 Reintentar
button-cancel = ✖️ Cancelar
button-sms-sent = ✉️ SMS enviado
button-another-code = 🔁 Otro código
button-finish = ✅ Terminar
button-cancel-activation = ❌ Cancelar
button-refresh = 🔄 Actualizar
button-cancel-auto = ⏰ Cancelar automáticamente

## The activation message
activation-card =
    📱 <code>+{ $phone }</code>
    { $service } · { $country } · { $operator }
    Coste: { $cost }
    { $status }
time-countdown = en { $minutes } min · { $time }
activation-status-waiting = ⏳ Esperando el SMS; termina { $until }.
activation-status-code = 🔑 Código: <code>{ $code }</code>
activation-status-retry = ⏳ Esperando otro código; termina { $until }.
activation-status-finished = ✔️ Terminado.
activation-status-cancelled = ↩️ Cancelado; reembolso de { $cost }.
activation-status-expired = ⌛ Caducado sin código; reembolso de { $cost }.
activation-status-waiting-call = ⏳ Esperando la llamada; termina { $until }.
activation-status-call-came = 📞 Llegó la llamada, código: <code>{ $code }</code>. El número está terminado: tras la llamada el proveedor no admite más cambios, y el cobro se mantiene.
activation-cancel-scheduled = ⏰ Se cancelará automáticamente a las { $at }.
code-message =
    🔑 <code>{ $code }</code> — { $service }, <code>+{ $phone }</code>
    <blockquote>{ $text }</blockquote>
code-message-no-text = 🔑 <code>{ $code }</code> — { $service }, <code>+{ $phone }</code>
ended-expired = ⌛ No llegó ningún código a <code>+{ $phone }</code>; el proveedor lo finalizó y se han devuelto { $cost } a tu saldo.
ended-auto-cancelled = ↩️ No llegó ningún código a <code>+{ $phone }</code>, así que lo cancelé antes de que caducara: se han devuelto { $cost } a tu saldo.
ended-finished = ✔️ <code>+{ $phone }</code>: terminado.

## Button answers
press-done = Hecho.
press-refreshed = 🔄 Consultado con el proveedor a las { $at }.
press-refused = No es posible ahora; el mensaje muestra el estado actual.
press-ended = Esta activación ya ha terminado.
press-not-yours = Este botón no es tuyo.
press-stale = Este botón está desactualizado.
press-sms-sent = Anotado: el SMS se ha enviado.
cancel-later = El proveedor permite cancelar a partir de las { $at }. Toca «Cancelar automáticamente» y lo haré entonces.
cancel-scheduled = Lo cancelaré a las { $at } si no llega ningún código.

## Lists
active-none = No tienes números activos. Envía /buy para obtener uno.
active-header = { $count ->
        [one] Tienes { $count } número activo:
       *[other] Tienes { $count } números activos:
    }
active-line = { $mark } <code>+{ $phone }</code> · { $service }
activation-card-moved = ↓ La ficha de <code>+{ $phone }</code> está ahora más abajo.
button-cancel-all = ❌ Cancelar todos sin código ({ $count })
active-cancel-all-ask = ¿Cancelar { $count ->
        [one] este número que no recibió
       *[other] estos { $count } números que no recibieron
    } código? Se te devuelve el dinero.
button-cancel-all-yes = ❌ Sí, cancelar { $count }
active-cancelled-all = ❌ Cancelados: { $cancelled }. ⏰ Se cancelarán en cuanto el proveedor lo permita: { $later }. No es posible ahora: { $failed }.
history-empty = Aún no hay números anteriores.
history-line = { $date } · { $service } · <code>+{ $phone }</code> · { $cost } · { $state }
history-total = { $count ->
        [one] { $count } número
       *[other] { $count } números
    }, gasto total: <b>{ $total }</b>
history-total-held = { $count ->
        [one] { $count } número
       *[other] { $count } números
    }, gasto total: <b>{ $total }</b>; retenido por números activos: <b>{ $held }</b> (se devuelve si no llega código)
history-state-finished = terminado
history-state-cancelled = cancelado
history-state-expired = caducado
history-state-active = activo

## Language and cancel
lang-choose = Elige tu idioma:
lang-set = Idioma: español.
cancel-done = ✖️ Cancelado. Tus números no se tocan; envía /buy para empezar de nuevo.
cancel-nothing = No hay nada que cancelar: ningún paso en curso. Tus números están en /active.

## Provider errors, by kind
error-auth = el proveedor no acepta tu clave. Envía /key para configurarla de nuevo.
error-blocked = tu cuenta del proveedor está bloqueada{ $until ->
        [none] .
       *[other] { " " }hasta el { $until }.
    }
error-funds = tu saldo es insuficiente. Recarga tu cuenta en la web de tu proveedor y vuelve a intentarlo (/balance muestra tu saldo).
error-no-numbers = no quedan números para esta opción.
error-price-limit = el precio supera tu límite.
error-invalid = el proveedor rechazó la solicitud por no ser válida.
error-not-found = el proveedor no conoce este número.
error-state = no es posible en el estado actual del número.
error-server = el proveedor ha informado de un error interno. Vuelve a intentarlo en un minuto.
error-unavailable = el proveedor no responde correctamente ahora mismo. Vuelve a intentarlo en un minuto.
error-timeout = el proveedor no respondió a tiempo. Vuelve a intentarlo en un minuto.
error-address-refused = la dirección de tu proveedor ya no lleva a internet pública, así que este bot no la llamará; no se envió nada. Elige un proveedor con /provider.
error-unexpected = el proveedor envió una respuesta que no puedo leer. Vuelve a intentarlo más tarde.
error-generic = algo ha fallado por mi parte; no se ha perdido nada. Vuelve a intentarlo.
no-sender = Solo actúo para personas: escríbeme desde tu propia cuenta, en un chat privado conmigo.

## Settings
settings-text =
    ⚙️ <b>Ajustes</b>
    Cancelar un número sin código poco antes de que caduque, para recuperar el dinero: { $auto_cancel ->
        [on] <b>activado</b>
       *[off] <b>desactivado</b>
    }
button-auto-cancel-off = Desactivar la autocancelación
button-auto-cancel-on = Activar la autocancelación
settings-time-zone = Zona horaria: { $zone } (ahora { $now })
button-time-zone = 🕒 Zona horaria…
time-zone-ask = 🕒 Elige la zona horaria en la que te muestro las horas, o escríbela: una ciudad (<code>Madrid</code>), una zona (<code>Europe/Madrid</code>) o un desfase respecto a UTC (<code>+1</code>).
time-zone-unknown = No conozco esa zona horaria. Escribe una ciudad (Madrid), una zona (Europe/Madrid) o un desfase (+1), o elige una arriba.

## Fairness: one user's flood or slow provider
updates-busy = ⏳ Sigo ocupado con tus solicitudes anteriores, un momento.
provider-slow = 🐢 { $provider } responde muy despacio, así que reviso tus números allí con menos frecuencia hasta que se recupere; los códigos pueden llegar con retraso.
