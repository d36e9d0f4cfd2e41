## Alquiler de números (/rent, el mensaje del alquiler, avisos de números alquilados)
command-rent = Alquilar un número por horas o días

rent-service-full = 📱 Número completo (cualquier servicio)
rent-choose-service = <b>Alquilar un número.</b> Elige un servicio (o escribe parte de su nombre), o el número completo para recibir SMS de cualquiera.
rent-choose-country = <b>{ $service }</b>: elige un país.
rent-choose-operator = <b>{ $service }</b>, { $country }: elige un operador.
rent-choose-hours = <b>{ $service }</b>, { $country }: ¿por cuánto tiempo?
button-rent-hours = { $duration }
rent-sold-out = ❌ No hay números para alquilar con esta elección. Elige otra duración u otro país.
rent-confirm =
    <b>Confirma el alquiler</b>
    Servicio: { $service }
    País: { $country }
    Operador: { $operator }
    Duración: { $duration }
    Precio: <b>{ $price }</b>
    Disponibles: { $count }
    Tu saldo: { $balance }
button-rent-confirm = ✅ Alquilar por { $price }
rent-refused = ❌ No alquilado: { $reason }
rent-expired-menu = Este menú ha caducado. Envía /rent para empezar de nuevo.
rent-aborted = Alquiler cancelado. No se alquiló nada.
rent-duplicate = Esta confirmación ya se usó; solo paga una vez.
rent-in-progress = En ello…
rent-unresolved = ⚠️ El proveedor no respondió con claridad. Lo comprobaré con él y te lo diré aquí; nunca se te cobrará dos veces.

rent-card =
    📱 <code>+{ $phone }</code>
    Alquilado para: { $service }
    País: { $country }
    { $status }
rent-status-active = ⏳ Alquilado hasta <b>{ $end }</b>. Cada SMS llegará aquí como un mensaje nuevo.
rent-status-finished = ✔️ Terminado.
rent-status-cancelled = ↩️ Cancelado; el dinero volvió a tu saldo.
rent-status-expired = ⌛ El alquiler ha terminado.
button-rent-finish = ✅ Terminar
button-rent-cancel = ❌ Cancelar
button-rent-extend = ➕ Prolongar

rent-press-finished = Terminado.
rent-press-cancelled = Cancelado; el dinero ha vuelto.
rent-cancel-refused = El proveedor no permitió cancelar: un alquiler solo se puede cancelar en sus primeros 20 minutos y antes de recibir un SMS. Puedes terminarlo.
rent-press-ended = Este alquiler ya ha terminado.
rent-press-refused = No es posible: { $reason }

rent-extend-ask = ¿Cuántas horas prolongar <code>+{ $phone }</code> (ahora hasta { $end })?
rent-extend-dismissed = ✖️ No se prolongó: el alquiler termina a la misma hora.
rent-extend-confirm =
    <b>Prolongar <code>+{ $phone }</code></b> por { $duration }
    Ahora hasta: { $end }
    Precio: <b>{ $price }</b>
button-rent-pay-extension = ✅ Prolongar por { $price }
rent-extended = ✅ <code>+{ $phone }</code> está alquilado hasta <b>{ $end }</b>.
rent-extend-refused = ❌ No prolongado: { $reason }
rent-extend-unresolved = ⚠️ El proveedor no respondió con claridad. Averiguaré con él si el alquiler se prolongó y te lo diré aquí; nunca se te cobrará dos veces.

rent-sms-message =
    📩 SMS a <code>+{ $phone }</code>
    De: <b>{ $sender }</b> · { $at }
    <blockquote>{ $text }</blockquote>
rent-reminder = ⏰ El alquiler de <code>+{ $phone }</code> termina a las <b>{ $end }</b>. Prolóngalo para conservar el número.
rent-ended-expired = ⌛ El alquiler de <code>+{ $phone }</code> ha terminado.
rent-ended-finished = ✔️ El alquiler de <code>+{ $phone }</code> está terminado.
rent-ended-cancelled = ↩️ El alquiler de <code>+{ $phone }</code> fue cancelado; el dinero volvió a tu saldo.

error-rent-expired = el alquiler ya ha terminado, así que no se puede prolongar. Envía /rent para un número nuevo.
error-max-hours = el alquiler superaría lo que permite el proveedor{ $max ->
        [none] .
       *[other] : como mucho { $max } horas más.
    }
rent-reconciled-rented = ✅ El proveedor confirmó tu alquiler anterior:
rent-reconciled-not-rented = ↩️ Tu alquiler anterior de { $service } no se realizó: el proveedor no tiene ningún alquiler para él.
rent-reconciled-checking = ⏳ Tu alquiler de { $service } se interrumpió antes de que el proveedor respondiera. Estoy comprobando con el proveedor si se alquiló y te avisaré aquí.
rent-reconciled-adopted-cancelled = ⚠️ El proveedor sí alquiló <code>+{ $phone }</code> para tu alquiler anterior de { $service }. Como te dije que había fallado, lo cancelé para que se te reembolse.
rent-reconciled-adopted-kept = ⚠️ El proveedor sí alquiló un número para tu alquiler anterior de { $service }, aunque te dije que había fallado, y no permitió cancelarlo. Cancélalo abajo si puedes, o quédatelo:
rent-extension-settled = ✅ El proveedor confirma la prolongación: <code>+{ $phone }</code> está alquilado hasta <b>{ $end }</b>.
rent-extension-not-made = ↩️ La prolongación de <code>+{ $phone }</code> no se realizó: no se cobró nada por ella.

## /history: the rents under the activations
history-rents-header = <b>Alquileres</b>
history-rent-line = { $date } · { $service } · <code>+{ $phone }</code> · { $duration } · { $cost } · { $state }
history-rent-state-active = activo
history-rent-state-finished = terminado
history-rent-state-cancelled = cancelado
history-rent-state-expired = caducado
history-rent-total = { $count ->
        [one] { $count } alquiler
       *[other] { $count } alquileres
    }, gastado en total: <b>{ $total }</b>

## Durations (rents): hours below a day, whole days above
duration-hours = { $hours } h
duration-days = { $days ->
        [one] { $days } día
       *[other] { $days } días
    }
rent-finish-ask = ¿Terminar ahora el alquiler de <code>+{ $phone }</code>? El número dejará de recibir SMS y el tiempo restante no se reembolsa.
button-rent-finish-yes = ✅ Sí, terminar
button-rent-finish-no = ↩️ Mantenerlo
