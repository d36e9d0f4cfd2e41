"""Keyring: parsing SMSBOT_MASTER_KEYS text, and the generated key file."""

from __future__ import annotations

import base64
import logging
import pickle
import stat
from pathlib import Path

import pytest

from storage.errors import KeyringError
from storage.keyring import Keyring, keyring_path_for

KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.urlsafe_b64encode(bytes(range(100, 132))).decode()


def test_parse_keeps_order_and_the_first_key_encrypts() -> None:
    keyring = Keyring.parse(f" new:{KEY_B} , old:{KEY_A}\n")
    assert keyring.primary_id == "new"
    assert keyring.ids == ("new", "old")
    assert keyring.key("old") == bytes(range(32))
    assert keyring.key("missing") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "holds no keys"),
        (" , ", "holds no keys"),
        (KEY_A, "entry 1 is not of the form id:base64key"),
        (f"a:{KEY_A},{KEY_B}", "entry 2 is not of the form"),
        (f"{KEY_A}:{KEY_A}", "entry 1 has a malformed id"),  # key pasted as the id
        (f"a b:{KEY_A}", "entry 1 has a malformed id"),
        (f"a:{KEY_A[:-4]}!!!=", "entry 1 (id 'a') is not valid base64"),
        (f"a:{base64.b64encode(bytes(16)).decode()}", "must decode to 32 bytes, got 16"),
        (f"a:{KEY_A},a:{KEY_B}", "key id 'a' appears more than once"),
    ],
)
def test_malformed_text_is_refused_without_echoing_key_material(text: str, expected: str) -> None:
    with pytest.raises(KeyringError, match="SMSBOT_MASTER_KEYS") as caught:
        Keyring.parse(text)
    message = str(caught.value)
    assert expected in message
    for secret in (KEY_A, KEY_B, KEY_A[:12], KEY_B[:12]):
        assert secret not in message


def test_repr_shows_ids_only_and_pickling_is_refused() -> None:
    keyring = Keyring.parse(f"a:{KEY_A}")
    assert repr(keyring) == "Keyring(ids=['a'])"
    assert KEY_A not in repr(keyring)
    with pytest.raises(TypeError):
        pickle.dumps(keyring)


def test_the_generated_file_lives_beside_the_database(tmp_path: Path) -> None:
    assert keyring_path_for(tmp_path / "data" / "bot.sqlite3") == tmp_path / "data" / "master.keys"


def test_load_or_create_generates_a_private_file_once_and_warns_with_the_path_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "master.keys"
    with caplog.at_level(logging.WARNING, logger="storage.keyring"):
        created = Keyring.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert str(path) in record.getMessage()
    key = created.key(created.primary_id)
    assert key is not None and base64.b64encode(key).decode() not in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="storage.keyring"):
        again = Keyring.load_or_create(path)
    assert caplog.records == []  # nothing generated the second time
    assert again.ids == created.ids and again.key(again.primary_id) == key


def test_load_or_create_reads_an_operator_written_file_and_tightens_it(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    path.write_text(f"ops1:{KEY_A}\n")
    path.chmod(0o644)
    keyring = Keyring.load_or_create(path)
    assert keyring.ids == ("ops1",)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_malformed_key_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    path.write_text("garbage")
    with pytest.raises(KeyringError, match=str(path)):
        Keyring.load_or_create(path)
