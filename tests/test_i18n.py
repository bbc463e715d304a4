"""Figure and report words: every language says the same things with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from sahelsat.i18n import FIGURE_TEXT, LANGUAGES, figure_text, lang_path


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_have_the_same_keys_and_placeholders():
    assert set(LANGUAGES) == {"en", "fr"}
    en = FIGURE_TEXT["en"]
    for lang in LANGUAGES:
        words = figure_text(lang)
        assert set(words) == set(en), lang
        for key, text in words.items():
            assert _fields(text) == _fields(en[key]), (lang, key)


def test_report_text_is_complete_in_every_language():
    from sahelsat.scenario.report import TEXT, VALUES

    assert set(TEXT) == set(VALUES) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(TEXT[lang]) == set(TEXT["en"]), lang
        for key, text in TEXT[lang].items():
            assert _fields(text) == _fields(TEXT["en"][key]), (lang, key)


def test_lang_path_keeps_english_names_plain():
    assert lang_path("out/gantt.png", "en") == Path("out/gantt.png")
    assert lang_path("out/gantt.png", "fr") == Path("out/gantt.fr.png")
    with pytest.raises(ValueError, match="lang: 'de'"):
        lang_path("out/gantt.png", "de")
