"""UTF-16 measures, trimming and bot-command detection."""

from __future__ import annotations

from bot.fake_telegram.text import find_bot_commands, trim_text, utf16_len, utf16_slice


def test_utf16_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("🏟") == 2
    assert utf16_len("ё") == 1
    assert utf16_slice("a🏟b", 1, 2) == "🏟"


def test_commands_are_found_as_telegram_finds_them() -> None:
    assert find_bot_commands("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert find_bot_commands("/buy@smsbot_fake_bot now") == [
        {"type": "bot_command", "offset": 0, "length": 20}
    ]
    assert find_bot_commands("🏟 /help") == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert find_bot_commands("a/b") == []
    assert find_bot_commands("/") == []
    assert find_bot_commands("http://x/y") == []
    assert find_bot_commands("/start/x") == []


def test_trimming_moves_and_clips_entities() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "code", "offset": 5, "length": 1},
    ]
    assert trim_text("  ab  ", entities) == ("ab", [{"type": "bold", "offset": 0, "length": 2}])
