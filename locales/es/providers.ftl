# /provider: una URL de proveedor rechazada por la política del operador (SMSBOT_CUSTOM_PROVIDERS).
provider-url-refused = { $reason ->
    [off] ❌ Este bot solo funciona con los proveedores de la lista. Elige uno de ellos.
   *[other] ❌ Esa dirección no está en internet público, así que este bot no la llamará. Envía la URL pública del proveedor o elige uno de la lista.
}
