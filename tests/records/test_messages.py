"""The message catalogue: one lookup, both languages for every key, no silent fallback."""

from __future__ import annotations

import re

import pytest

from data_contracts.messages import LANGS, MessageError, catalogue, text

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
FIELD = re.compile(r"\{(\w+)[^}]*\}")


def test_every_key_has_both_languages_with_the_same_parameters():
    entries = catalogue()
    assert len(entries) > 10
    for key, entry in entries.items():
        assert set(entry) == set(LANGS), key
        assert entry["zh"].strip() and entry["en"].strip(), key
        assert set(FIELD.findall(entry["zh"])) == set(FIELD.findall(entry["en"])), key


def test_english_texts_hold_no_chinese():
    bad = {k: e["en"] for k, e in catalogue().items() if CJK.search(e["en"])}
    assert not bad


def test_unknown_language_and_key_raise():
    with pytest.raises(MessageError, match="unknown language"):
        text("verdict.credible", "fr")
    with pytest.raises(MessageError, match="no message"):
        text("verdict.no_such_code", "zh")
    with pytest.raises(MessageError, match="needs parameter"):
        text("indicator.village_incidence_of", "en")


def test_texts_follow_their_parameters():
    assert text("verdict.not_credible", "en") == "not credible"
    assert text("indicator.village_incidence_of", "zh", village="周桥村") == "周桥村贫困发生率"
    assert text("format.p_below", "en", bound="0.001") == "p < 0.001"
