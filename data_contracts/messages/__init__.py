"""The one message catalogue (消息目录): every word shown to a user, in Chinese and English.

Domain code (sampling, evaluation) emits codes and parameters — verdict codes, reason codes,
follow-up codes, the confidence level — never prose; the report layer and the command line turn
them into words here, with :func:`text`. The catalogue is one keyed table per topic
(``catalogue/*.toml``): each entry has a ``zh`` and an ``en`` text, formatted with
:meth:`str.format` from the parameters (``{level:.0%}``, ``{n:,}``, ``{village}``), so labels
follow the parameters (a 99% level says 99%).

:func:`text` raises :class:`MessageError` on an unknown language, a missing key or a parameter
the text needs but was not given — never a silent fallback to the other language.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


class MessageError(LookupError):
    """A message that cannot be produced: unknown language, missing key or parameter."""


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every entry, keyed ``topic.key`` (the file name without ``.toml`` is the topic)."""
    entries: dict[str, dict[str, str]] = {}
    folder = resources.files(__package__) / "catalogue"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        topic = item.name.removesuffix(".toml")
        table = tomllib.loads(item.read_text(encoding="utf-8"))
        for key, entry in _flatten(table):
            entries[f"{topic}.{key}"] = entry
    return entries


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, str]]]:
    """(dotted key, {"zh": …, "en": …}) pairs of a nested TOML table."""
    out: list[tuple[str, dict[str, str]]] = []
    for key, value in table.items():
        if (
            isinstance(value, dict)
            and set(value) >= set(LANGS)
            and all(isinstance(value[lang], str) for lang in LANGS)
        ):
            out.append((prefix + key, {lang: value[lang] for lang in LANGS}))
        elif isinstance(value, dict):
            out.extend(_flatten(value, f"{prefix}{key}."))
        else:
            raise MessageError(f"catalogue entry {prefix}{key} has no zh and en texts")
    return out


def check_lang(lang: str) -> str:
    """``lang`` if it is a catalogue language; :class:`MessageError` otherwise."""
    if lang not in LANGS:
        raise MessageError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in catalogue()


def text(key: str, lang: str, /, **params: Any) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``."""
    check_lang(lang)
    try:
        template = catalogue()[key][lang]
    except KeyError:
        raise MessageError(f"no message {key!r} in the catalogue") from None
    try:
        return template.format(**params)
    except (KeyError, IndexError) as exc:
        raise MessageError(f"message {key!r} needs parameter {exc}") from None


def label(topic: str, code: str, lang: str) -> str:
    """Shorthand for a code's label: ``text(f"{topic}.{code}", lang)`` (verdict, reason, …)."""
    return text(f"{topic}.{code}", lang)
