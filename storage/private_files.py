"""Files only this user may read: the database and the keyring are created 0600 and tightened
when an older install or a copy left them readable by others."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Final

PRIVATE: Final = 0o600


def create_private_file(file: Path, log: logging.Logger) -> None:
    """Creates ``file`` (and its folder, 0700) with mode 0600 if missing, or tightens it."""
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_CREAT | os.O_RDWR, PRIVATE)
    os.close(descriptor)
    tighten(file, log)


def tighten(file: Path, log: logging.Logger) -> None:
    """Sets a missing-or-existing ``file`` to 0600 if others may read it, saying so on ``log``."""
    try:
        mode = stat.S_IMODE(file.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        # An older install or a copy may have left it readable by others; the vault's
        # ciphertexts and the purchase ledger are nobody else's business.
        log.warning("tightening permissions of %s from %o to 600", file, mode)
        file.chmod(PRIVATE)
