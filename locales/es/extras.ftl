# smsbot, español: /prices, otra activación, páginas de /history, /multi, llamadas, servicios añadidos.

## Command menu
command-prices = Precios por servicio o país
command-multi = Un número para varios servicios

## Prices
prices-choose-service = 💲 <b>Precios</b>: elige un servicio o escribe parte de su nombre.
prices-choose-country = 💲 <b>Precios</b>: elige un país o escribe parte de su nombre.
prices-no-match = Nada coincide con «{ $query }». Prueba otra palabra.
button-prices-by-country = 🌍 Por país
button-prices-by-service = 🧩 Por servicio
prices-service-header = 💲 <b>{ $name }</b> por país, del más barato (página { $page }/{ $pages }):
prices-country-header = 💲 <b>{ $name }</b> por servicio, del más barato (página { $page }/{ $pages }):
button-prices-buy = 🛒 { $name } · { $price }
prices-line = { $name } · { $price } · { $count ->
        [one] { $count } número
       *[other] { $count } números
    }
prices-empty = Ahora no hay precios para { $name }.
prices-closed = Lista de precios cerrada.
prices-refused = ❌ No pude obtener los precios: { $reason }
prices-expired = Esta lista de precios está cerrada. Envía /prices de nuevo.

## Another activation on a used number
button-extra-activation = 🔁 Usar este número otra vez
extra-offer =
    <b>Otra activación en el mismo número</b>
    Número: <code>+{ $phone }</code>
    Servicio: { $service }
    Precio: <b>{ $price }</b>
button-extra-confirm = ✅ Comprar por { $price }
extra-not-possible = ❌ El proveedor no puede dar este número otra vez ahora: debe haber terminado con un código y no estar en uso.
extra-expired = Esta oferta está caducada. Pulsa «Usar este número otra vez» de nuevo.
extra-dismissed = ✖️ No se compró: el número sigue terminado.

## History
history-page = 📜 Página { $page }
button-history-extra = 🔁 { $service } +{ $phone }

## One number for several services
multi-choose-services = 🧩 <b>Un número para varios servicios.</b> Toca los servicios para elegirlos (elegidos: { $count }) o escribe parte de un nombre. Luego «Siguiente».
multi-no-match = Ningún servicio coincide con «{ $query }».
button-multi-next = ➡️ Siguiente: país
multi-need-two = Elige al menos dos servicios.
multi-choose-country = 🌍 Elige un país para { $services } (solo países que venden un número para varios servicios).
multi-no-countries = Ahora ningún país vende un número para varios servicios.
multi-confirm =
    <b>Confirma: un número para varios servicios</b>
    Servicios: { $services }
    País: { $country }
    Precio: <b>{ $price }</b> (la suma de los precios de los servicios)
    Tu saldo: { $balance }
multi-forward-line = 📞 Desvío de llamadas: { $service }
button-multi-forward = 📞 Desvío: { $service }
button-multi-confirm = ✅ Comprar por { $price }
multi-bought = ✅ Un número, <code>+{ $phone }</code>, para { $count ->
        [one] { $count } servicio
       *[other] { $count } servicios
    }. Cada uno tiene su mensaje abajo.
multi-expired = Esta selección está caducada. Envía /multi de nuevo.
multi-aborted = Cancelado. No se compró nada.
multi-not-offered = ❌ Este proveedor no vende un número para varios servicios.

## Calls
call-line-waiting = 📞 Llamada: todavía no.
call-line-arrived = 📞 Llamada desde <code>{ $phone }</code>.
call-line-ended = 📞 La verificación por llamada terminó.
button-call-status = 📞 Estado de la llamada
button-order-call = 📲 Llámame desde este número
call-ask-phone = Envía el número al que debe ir la llamada (solo dígitos, con el código de país).
call-bad-phone = ❌ Eso no es un número de teléfono. Envía solo dígitos, con el código de país.
call-ordered = ✅ Llamada pedida: { $text }
call-not-offered = Este proveedor no ofrece eso.
call-not-verification = Este número no se compró para verificación por llamada.

## Added services on a forwarded number
button-additional = ➕ Añadir un servicio a este número
additional-choose = ➕ Elige un servicio para añadir a <code>+{ $phone }</code> (solo servicios con desvío de llamadas).
additional-confirm =
    <b>Añadir { $service } a <code>+{ $phone }</code></b>
    Precio: la tarifa fija del proveedor por un servicio añadido (5 ₽ en SMS-Activate).
button-additional-confirm = ✅ Añadir { $service }
additional-expired = Esta oferta está caducada. Pulsa «Añadir un servicio» en el número de nuevo.
