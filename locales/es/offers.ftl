# Issue 17: la mejor oferta entre los proveedores del usuario, seguir intentando, límites.

## Comparación en /buy (solo con claves en dos proveedores o más)
offers-heading = <b>En tus proveedores:</b>
offers-row = { $mark } { $provider } · { $price } · quedan { $stock }{ $rate }
offers-rate = ✅ { $percent } %
offers-rate-time = ✅ { $percent } % · ~{ $seconds } s
offers-dropped-timeout = ⏱ { $provider }: no respondió a tiempo, queda fuera
offers-dropped-key-refused = 🔑 { $provider }: el proveedor rechazó tu clave (envía /key { $provider } con una nueva)
offers-dropped-key-unreadable = 🔑 { $provider }: tienes que volver a introducir tu clave
offers-dropped-not-sold = { $provider }: no se vende allí
offers-dropped-error = ⚠️ { $provider }: no respondió bien, queda fuera
offers-none-buyable = ❌ Ningún proveedor tiene ahora un número para esto.
offers-pinned-none = ❌ { $provider } no tiene ahora un número para esto. Elige otro proveedor, o cualquiera.
offers-buying-best = Compra en la mejor oferta: <b>{ $provider }</b> (cualquier proveedor).
offers-buying-pinned = Compra en <b>{ $provider }</b> (fijado).
offers-provider-line = Proveedor: <b>{ $provider }</b>
offers-any-provider = Cualquier proveedor (mejor oferta)
offers-other-currency = {" "}· otra moneda: no se compara con las demás
offers-prices-entry = { $mark }{ $provider } { $price } ({ $stock })
offers-prices-line = {"    "}↳ { $rows }

## Seguir intentando: reemplazo automático con presupuesto
autoreplace-button = 🔁 Seguir intentando hasta recibir un código…
autoreplace-setup =
    <b>Seguir intentando</b>: { $service }, { $country }
    Compro un número y espero { $minutes } min su código. Sin código: lo cancelo para el reembolso y compro el siguiente (en el siguiente mejor proveedor si uno falló), hasta { $tries } números. Un código lo termina; Detener lo termina al instante.
    En total se gastan como mucho <b>{ $cap }</b> (los reembolsos los devuelve el proveedor).
autoreplace-setup-max-price = Cada número cuesta como mucho <b>{ $max }</b> (tu precio máximo).
autoreplace-tries-button = Números: { $tries }
autoreplace-wait-button = Espera: { $minutes } min
autoreplace-start-button = ▶ Empezar, como mucho { $cap }
autoreplace-starting = Empezando…
autoreplace-stopping = Deteniendo…
autoreplace-stop-button = ⏹ Detener
autoreplace-card-try = 🔁 Intento { $attempt } de { $tries } · { $provider } · { $country } · { $price }
autoreplace-card-buying = Comprando un número…
autoreplace-card-waiting =
    📱 <code>+{ $phone }</code>
    Esperando el código (hasta { $minutes } min), después el siguiente número.
autoreplace-card-code = ✅ Llegó un código en el intento { $tries }: se acabó. El código está en el mensaje de abajo.
autoreplace-card-cancelled = ⏹ Detenido. Un número que seguía esperando se canceló para su reembolso.
autoreplace-card-exhausted = ❌ Ningún código en { $tries } números. Cada uno se canceló para su reembolso.
autoreplace-card-capped = 💲 Detenido: el siguiente número pasaría el límite de { $cap } (o tu límite de gasto).
autoreplace-card-failed = ❌ Detenido: ningún proveedor tiene ahora un número para esto.
autoreplace-card-over-max = ❌ Detenido: ningún proveedor tiene ahora un número a tu precio máximo ({ $max }).

## Límites de gasto
cap-refused = { $period ->
    [day] ❌ No comprado: pasaría tu límite diario de { $cap }. Queda hoy: <b>{ $remaining }</b> (esto cuesta { $price }). Cámbialo en /settings.
   *[other] ❌ No comprado: pasaría tu límite mensual de { $cap }. Queda este mes: <b>{ $remaining }</b> (esto cuesta { $price }). Cámbialo en /settings.
}
settings-cap = { $period ->
    [day] Límite diario: <b>{ $cap }</b> (quedan { $remaining } hoy)
   *[other] Límite mensual: <b>{ $cap }</b> (quedan { $remaining } este mes)
}
settings-cap-none = { $period ->
    [day] Límite diario: ninguno
   *[other] Límite mensual: ninguno
}
button-set-cap = { $period ->
    [day] 💲 Límite diario…
   *[other] 💲 Límite mensual…
}
settings-ask-cap = { $period ->
    [day] Envía lo máximo que el bot puede gastar por ti en un día (UTC), p. ej. <code>100</code>; 0 para ninguno.
   *[other] Envía lo máximo que el bot puede gastar por ti en un mes (UTC), p. ej. <code>1000</code>; 0 para ninguno.
}
settings-bad-cap = ❌ Eso no es una cantidad. Envía un número como <code>100</code>, o 0 para ninguno.

## Claves en varios proveedores (/key, /provider)
key-saved-for = ✅ Clave de <b>{ $provider }</b> guardada. Saldo allí: <b>{ $balance }</b>. Tu proveedor actual no cambia; /buy compara tus proveedores.
provider-keys-line = Tus claves: { $providers }
provider-keys-hint = Añade una clave de otro proveedor con /key y su nombre (p. ej. <code>/key grizzlysms</code>): /buy los compara todos.
key-which = ¿De qué proveedor es la clave? Envíame tu clave API de <b>{ $provider }</b> (✓, el actual) en tu próximo mensaje, o toca antes otro proveedor. Lo borro al instante y guardo la clave cifrada. O envía <code>/key nombre</code> para otro proveedor.
