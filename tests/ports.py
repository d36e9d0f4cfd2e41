"""A loopback port for a subprocess to listen on, that nothing else takes first."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_PICKER = random.SystemRandom()  # each test worker picks on its own, whatever else is seeded


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def unused_port() -> int:
    """A 127.0.0.1 port free now, for a subprocess to bind a moment later.

    A port from ``bind(0)`` is in the kernel's ephemeral range, where every other ``bind(0)``
    and outgoing connection (other test workers' servers and clients) may be handed it before
    the subprocess binds it: "address already in use". This one is picked at random below that
    range, where the kernel hands out nothing by itself.
    """
    top = _ephemeral_start()
    for _ in range(200):
        port = _PICKER.randrange(max(1024, top - 10_000), top)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")
