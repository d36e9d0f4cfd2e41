"""The locales: same messages and variables as English, valid Telegram HTML, right plurals.

Fast and offline: only the ``.ftl`` files and :class:`bot.i18n.Translator`.
"""

from __future__ import annotations

import html
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl

from bot.i18n import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    TranslationError,
    Translator,
    _variables_by_message,
    locales_dir,
)
from bot.lifecycle import COMMANDS

OTHER_LOCALES = tuple(code for code in SUPPORTED_LOCALES if code != DEFAULT_LOCALE)
TELEGRAM_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})
NUMBER_VARIABLES = frozenset({"count", "minutes"})
# Values that pick each variant of a selector; every other variable gets one sample string.
SELECTOR_VALUES: dict[str, tuple[object, ...]] = {
    "count": (0, 1, 2, 5, 21),
    "minutes": (1, 2, 5, 21),
    "has_key": ("yes", "no"),
    "until": ("none", "2030-01-02 03:04 UTC"),
}
# Shown as plain text (button labels, the command menu): no tags, no entities.
PLAIN_TEXT = re.compile(
    r"^(command-.*|button-.*|buy-confirm-button|provider-custom-button|buy-operator-any)$"
)
_ALLOWED_MARKUP = re.compile(
    r"</?(?:b|i|u|s|code|pre|blockquote)>|<a href=\"[^\"<>]*\">|</a>"
    r"|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);"
)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


def _files() -> list[Path]:
    return sorted(locales_dir().glob("*/*.ftl"))


def _sample(name: str, *, escaped: bool) -> str:
    # Escaped as bot.telegram.rendering does it, with characters that would break HTML if not.
    return html.escape(f"<{name}> & co", quote=False) if escaped else f"sample {name}"


def _scenarios(variables: frozenset[str], *, escaped: bool = True) -> list[dict[str, object]]:
    """Every combination of selector values, the other variables as sample strings."""
    selectors = sorted(variables & SELECTOR_VALUES.keys())
    fixed: dict[str, object] = {
        name: _sample(name, escaped=escaped) for name in variables - SELECTOR_VALUES.keys()
    }
    return [
        {**fixed, **dict(zip(selectors, values, strict=True))}
        for values in itertools.product(*(SELECTOR_VALUES[name] for name in selectors))
    ]


def _all_messages() -> list[tuple[str, str]]:
    translator = Translator()
    return [
        (locale, message_id)
        for locale in translator.locales
        for message_id in sorted(translator.message_ids(locale))
    ]


class _TagChecker(HTMLParser):
    """Records problems with tags: unknown ones, and ones not closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close {self.stack[-1:] or 'anything'}")
        else:
            self.stack.pop()

    def check(self, text: str) -> list[str]:
        self.feed(text)
        self.close()
        return self.problems + [f"<{tag}> never closed" for tag in self.stack]


def _html_problems(text: str) -> list[str]:
    problems = _TagChecker().check(text)
    leftover = _ALLOWED_MARKUP.sub("", text)
    problems += [f"raw {char!r} outside a tag or entity" for char in "<>&" if char in leftover]
    return problems


# --- the locales match English ---------------------------------------------------------------


def test_supported_locales_are_loaded(translator: Translator) -> None:
    assert translator.locales == SUPPORTED_LOCALES
    assert translator.locales[0] == DEFAULT_LOCALE
    assert len(translator.message_ids(DEFAULT_LOCALE)) > 50


@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ftl_files_have_no_syntax_errors(path: Path) -> None:
    resource = FluentParser().parse(path.read_text(encoding="utf-8"))
    junk = [entry for entry in resource.body if isinstance(entry, ftl.Junk)]
    assert not junk, [
        (annotation.message, (entry.content or "")[:60])
        for entry in junk
        for annotation in entry.annotations
    ]


@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ftl_files_define_each_message_once(path: Path) -> None:
    resource = FluentParser().parse(path.read_text(encoding="utf-8"))
    ids = [entry.id.name for entry in resource.body if isinstance(entry, ftl.Message)]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_locale_has_exactly_the_english_message_ids(translator: Translator, locale: str) -> None:
    english = translator.message_ids(DEFAULT_LOCALE)
    ids = translator.message_ids(locale)
    assert sorted(english - ids) == [], "missing"
    assert sorted(ids - english) == [], "not in English"


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_locale_uses_the_english_variables(translator: Translator, locale: str) -> None:
    differ = {
        message_id: (
            sorted(translator.variables(DEFAULT_LOCALE, message_id)),
            sorted(translator.variables(locale, message_id)),
        )
        for message_id in translator.message_ids(DEFAULT_LOCALE) & translator.message_ids(locale)
        if translator.variables(DEFAULT_LOCALE, message_id)
        != translator.variables(locale, message_id)
    }
    assert differ == {}


# --- every message formats, as valid Telegram HTML --------------------------------------------


@pytest.mark.parametrize(("locale", "message_id"), _all_messages())
def test_message_formats_as_telegram_html(
    translator: Translator, locale: str, message_id: str
) -> None:
    plain = PLAIN_TEXT.match(message_id) is not None
    variables = translator.variables(locale, message_id)
    for args in _scenarios(variables, escaped=not plain):
        text = translator.t(locale, message_id, **args)
        assert text.strip(), args
        assert "{" not in text and "}" not in text, text
        if plain:  # labels get their variables unescaped and show no markup
            assert not re.search(r"[<>&]", text), text
        else:
            assert _html_problems(text) == [], (args, text)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_variables_are_inserted(translator: Translator, locale: str) -> None:
    text = translator.t(locale, "key-saved", masked="ab…yz", balance="12.50")
    assert "<code>ab…yz</code>" in text
    assert "<b>12.50</b>" in text
    text = translator.t(locale, "start-welcome", provider="Acme", has_key="yes", masked="ab…yz")
    assert "<b>Acme</b>" in text and "<code>ab…yz</code>" in text
    text = translator.t(locale, "start-welcome", provider="Acme", has_key="no", masked="")
    assert "/key" in text and "<code>" not in text


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_command_descriptions_fit_telegram(translator: Translator, locale: str) -> None:
    commands = {m for m in translator.message_ids(locale) if m.startswith("command-")}
    assert commands == {f"command-{name}" for name in COMMANDS}
    for message_id in sorted(commands):
        text = translator.t(locale, message_id)
        assert 3 <= len(text) <= 256, (message_id, text)
        assert text == text.strip() and "\n" not in text, (message_id, text)


# Answers to button presses (callback alerts): Telegram shows at most 200 characters.
CALLBACK_ANSWERS = re.compile(
    r"^(press-.*|error-.*|cancel-later|cancel-scheduled|buy-duplicate|buy-expired-menu"
    r"|buy-in-progress|key-unreadable|not-allowed)$"
)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_callback_answers_fit_telegram(translator: Translator, locale: str) -> None:
    for message_id in sorted(filter(CALLBACK_ANSWERS.match, translator.message_ids(locale))):
        for args in _scenarios(translator.variables(locale, message_id), escaped=False):
            text = translator.t(locale, message_id, **args)
            assert len(text) <= 200, (message_id, len(text))


def _label(translator: Translator, locale: str, message_id: str) -> str:
    """A button's label without its leading emoji."""
    return translator.t(locale, message_id).split(" ", 1)[1]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_texts_quote_the_button_labels(translator: Translator, locale: str) -> None:
    help_text = translator.t(locale, "help-text")
    for button in ("sms-sent", "another-code", "finish", "cancel-activation"):
        label = _label(translator, locale, f"button-{button}")
        assert re.search(f"[“«]{re.escape(label)}[”»]", help_text), label
    label = _label(translator, locale, "button-cancel-auto")
    assert re.search(f"[“«]{re.escape(label)}[”»]", translator.t(locale, "cancel-later", at="x"))


# --- strictness -------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_missing_message_raises(translator: Translator, locale: str) -> None:
    with pytest.raises(TranslationError, match="no-such-message"):
        translator.t(locale, "no-such-message")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_missing_variable_raises(translator: Translator, locale: str) -> None:
    with pytest.raises(TranslationError, match="balance"):
        translator.t(locale, "key-saved", masked="ab…yz")
    with pytest.raises(TranslationError, match="count"):
        translator.t(locale, "active-header")
    # A variable that only one variant uses is still required.
    with pytest.raises(TranslationError, match="masked"):
        translator.t(locale, "start-welcome", provider="Acme", has_key="no")


def test_message_missing_in_one_locale_raises_there(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "ru").mkdir()
    (tmp_path / "en" / "bot.ftl").write_text("hello = Hello\nonly-en = Only\n", encoding="utf-8")
    (tmp_path / "ru" / "bot.ftl").write_text("hello = Привет\n", encoding="utf-8")
    translator = Translator(tmp_path, ("en", "ru"))
    assert translator.t("ru", "hello") == "Привет"
    with pytest.raises(TranslationError, match="only-en"):
        translator.t("ru", "only-en")


def test_formatting_error_raises(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "bot.ftl").write_text(
        "broken = See { missing-message }\nno-value =\n    .attr = A\n", encoding="utf-8"
    )
    translator = Translator(tmp_path, ("en",))
    with pytest.raises(TranslationError, match="broken"):
        translator.t("en", "broken")
    with pytest.raises(TranslationError, match="no-value"):
        translator.t("en", "no-value")


# --- plurals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "count", "header", "total", "minutes"),
    [
        ("ru", 1, "1 активный номер:", "1 номер,", "1 минуту."),
        ("ru", 2, "2 активных номера:", "2 номера,", "2 минуты."),
        ("ru", 5, "5 активных номеров:", "5 номеров,", "5 минут."),
        ("ru", 11, "11 активных номеров:", "11 номеров,", "11 минут."),
        ("ru", 12, "12 активных номеров:", "12 номеров,", "12 минут."),
        ("ru", 21, "21 активный номер:", "21 номер,", "21 минуту."),
        ("ru", 22, "22 активных номера:", "22 номера,", "22 минуты."),
        ("es", 1, "1 número activo:", "1 número,", "1 minuto."),
        ("es", 2, "2 números activos:", "2 números,", "2 minutos."),
    ],
)
def test_russian_and_spanish_plurals(
    translator: Translator, locale: str, count: int, header: str, total: str, minutes: str
) -> None:
    assert translator.t(locale, "active-header", count=count).endswith(header)
    assert translator.t(locale, "history-total", count=count, total="9.00").startswith(total)
    assert translator.t(locale, "key-too-many", minutes=count).endswith(minutes)


def test_english_plurals(translator: Translator) -> None:
    assert translator.t("en", "active-header", count=1) == "You have 1 live number:"
    assert translator.t("en", "active-header", count=2) == "You have 2 live numbers:"


@pytest.mark.parametrize("locale", ["en", *OTHER_LOCALES])
def test_blocked_until_keeps_its_space(translator: Translator, locale: str) -> None:
    until = "2030-01-02 03:04 UTC"
    text = translator.t(locale, "error-blocked", until=until)
    blocked = {"en": "blocked until", "ru": "заблокирован до", "es": "bloqueada hasta el"}[locale]
    assert text.endswith(f" {blocked} {until}."), text
    assert not translator.t(locale, "error-blocked", until="none").endswith(" .")


# --- locale resolution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("ru-RU",), "ru"),
        (("ru",), "ru"),
        (("RU",), "ru"),
        (("es_ES",), "es"),
        (("es-419",), "es"),
        (("en-GB",), "en"),
        (("pt",), "en"),
        (("pt-BR",), "en"),
        ((None,), "en"),
        (("",), "en"),
        ((), "en"),
        ((None, "es"), "es"),
        (("pt", "ru"), "ru"),
    ],
)
def test_resolve(translator: Translator, candidates: tuple[str | None, ...], expected: str) -> None:
    assert translator.resolve(*candidates) == expected


# --- the variables parser ---------------------------------------------------------------------


def test_parser_reads_the_real_files(translator: Translator) -> None:
    for locale in SUPPORTED_LOCALES:
        variables = {m: translator.variables(locale, m) for m in translator.message_ids(locale)}
        # multi-line, with a selector inside
        assert variables["start-welcome"] == {"provider", "has_key", "masked"}
        assert variables["help-text"] == frozenset()
        confirm = {"service", "country", "operator", "price", "count", "balance"}
        assert variables["buy-confirm"] == confirm
        assert variables["code-message"] == {"code", "service", "phone", "text"}
        # a selector in the middle of a line, closed on a later line
        assert variables["key-too-many"] == {"minutes"}
        assert variables["history-total"] == {"count", "total"}
        assert variables["error-blocked"] == {"until"}
        assert variables["provider-set"] == {"provider", "has_key"}
        # messages after multi-line ones are still found and stay separate
        assert variables["not-allowed"] == frozenset()
        assert variables["balance-text"] == {"balance", "cashback"}


def test_parser_reads_the_fluent_syntax_not_lines() -> None:
    source = """\
# A comment that mentions { $in-comment } belongs to no message.
-brand = Brand { $term-only }
    .gender = masculine
simple = Simple { $a } and {$b}
multi =
    First { $c }

    Third { $d ->
        [one] one { $e }
       *[other] other
    }
with-attributes = Value { $f }
    .title = Title { $g }
    .label = { $h }
attributes-only =
    .title = { $i }
function = { NUMBER($j, minimumFractionDigits: 2) } and { DATETIME($k) }
selector-on-function = { NUMBER($l) ->
    [one] one
   *[other] other
}
uses-term = { -brand } { $m }
referencing = See { simple } and { $n }
broken = { $o ->
    [one] a selector without a default variant
}
simple = A duplicate { $p }: the bundle keeps the first one.
after = After { $q }
"""
    assert _variables_by_message(source) == {
        "simple": {"a", "b"},
        "multi": {"c", "d", "e"},
        "with-attributes": {"f", "g", "h"},
        "attributes-only": {"i"},
        "function": {"j", "k"},
        "selector-on-function": {"l"},
        "uses-term": {"m"},
        "referencing": {"n", "a", "b"},
        "after": {"q"},
    }


def test_parser_joins_several_files_like_the_bundle(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.ftl").write_text("first = { $x }\nref = { second }\n", encoding="utf-8")
    (tmp_path / "en" / "b.ftl").write_text("first = { $y }\nsecond = { $z }\n", encoding="utf-8")
    translator = Translator(tmp_path, ("en",))
    assert translator.variables("en", "first") == {"x"}
    assert translator.variables("en", "ref") == {"z"}
    assert translator.t("en", "first", x="1") == "1"
    assert translator.t("en", "ref", z="2") == "2"


def test_parser_matches_each_message_source_in_the_real_files(translator: Translator) -> None:
    """Cross-check: the ``$names`` written in each message's own text (none of the real
    messages references another), cut out of the file by the Fluent parser's spans."""
    for locale in translator.locales:
        sources = _message_sources(locale)
        assert sources.keys() == translator.message_ids(locale)
        for message_id, source in sources.items():
            written = set(re.findall(r"\$([a-zA-Z][\w-]*)", source))
            assert translator.variables(locale, message_id) == written, (locale, message_id)


def _message_sources(locale: str) -> dict[str, str]:
    sources: dict[str, str] = {}
    for path in sorted((locales_dir() / locale).glob("*.ftl")):
        text = path.read_text(encoding="utf-8")
        for entry in FluentParser().parse(text).body:
            if isinstance(entry, ftl.Message) and entry.span is not None:
                sources.setdefault(entry.id.name, text[entry.span.start : entry.span.end])
    return sources


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_help_names_every_command_of_the_menu(translator: Translator, locale: str) -> None:
    """/help is where a user learns what the bot can do: a command in the menu that /help
    never mentions is a feature nobody finds."""
    help_text = translator.t(locale, "help-text")
    missing = [name for name in COMMANDS if name not in ("start", "help")]
    missing = [name for name in missing if f"/{name}" not in help_text]
    assert not missing, f"/help in {locale} does not mention {missing}"
