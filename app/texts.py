"""Every text a person reads, in every language the province uses: one catalogue.

The catalogue is ``app/translations/<lang>/LC_MESSAGES/messages.po``, one
gettext PO file per language. A message id is a key (``form.submit``,
``pdf.s_summary``), never the Vietnamese sentence, so a wording can change
without touching code; the message string is the text, with ``{name}``
placeholders that :func:`texts` fills. The files are read with Babel when
first needed: no compile step, and translators can use any PO editor.

Languages are the folders. Vietnamese (``vi``) is the reference: the
default, and the fallback for a key another language lacks. English must
have every key (a test compares the two files); a province adding Ê Đê or
Tày adds a folder, ``app/translations/ede/LC_MESSAGES/messages.po``, with as
many keys as it has translated, and nothing else. An entry whose
placeholders differ from the Vietnamese one is left out (and listed in
:attr:`Catalogue.problems`), so a translator's slip shows Vietnamese instead
of breaking a page.

This module imports no Flask: renderers, services and commands call
:func:`texts` with the language they were given; the request's language is
chosen in :mod:`app.i18n`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from surveys import Text

__all__ = [
    "DEFAULT_LANG",
    "DIRECTORY",
    "Catalogue",
    "Label",
    "MissingText",
    "catalogue",
    "label",
    "languages",
    "placeholders",
    "texts",
]

#: where the language folders are
DIRECTORY = Path(__file__).resolve().parent / "translations"
#: the reference language: the default and the fallback for a missing key
DEFAULT_LANG = "vi"
#: languages listed first, in this order; any other folder follows by its code
FIRST = ("vi", "en")
#: a folder name that is a language code: ede, tay, vi, en, zh_Hant
LANG_CODE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})?$")
_PLACEHOLDER = re.compile(r"{(\w+)(?:[:!][^{}]*)?}")


class MissingText(KeyError):
    """No language has a text for this key: a bug in the code that asked, which
    the tests catch, and never a raw key shown to a person."""


def placeholders(text: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in ``text``."""
    return frozenset(_PLACEHOLDER.findall(text))


def _read(path: Path) -> dict[str, str]:
    """Translated entries of one PO file (fuzzy and empty ones are not translations)."""
    with path.open("rb") as f:
        po = read_po(f)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


@dataclass(frozen=True)
class Catalogue:
    """The texts of every language: ``by_lang[lang][key]``."""

    by_lang: dict[str, dict[str, str]]
    #: entries left out on loading, and why ("ede: form.part: placeholders {x}, Vietnamese has {i}, {n}")
    problems: tuple[str, ...] = field(default=())

    @classmethod
    def load(cls, directory: Path) -> Catalogue:
        """Read ``<directory>/<lang>/LC_MESSAGES/messages.po`` for every language folder."""
        found = {
            path.name: path / "LC_MESSAGES" / "messages.po"
            for path in sorted(directory.iterdir())
            if LANG_CODE.match(path.name) and (path / "LC_MESSAGES" / "messages.po").is_file()
        }
        if DEFAULT_LANG not in found:
            raise FileNotFoundError(f"{directory}: no {DEFAULT_LANG}/LC_MESSAGES/messages.po")
        reference = _read(found.pop(DEFAULT_LANG))
        by_lang, problems = {DEFAULT_LANG: reference}, []
        for lang, path in found.items():
            kept = {}
            for key, text in _read(path).items():
                if key not in reference:
                    problems.append(f"{lang}: {key}: no such key in Vietnamese")
                elif placeholders(text) != placeholders(reference[key]):
                    theirs, ours = sorted(placeholders(text)), sorted(placeholders(reference[key]))
                    problems.append(f"{lang}: {key}: placeholders {theirs}, Vietnamese has {ours}")
                else:
                    kept[key] = text
            by_lang[lang] = kept
        return cls(by_lang, tuple(problems))

    @property
    def languages(self) -> tuple[str, ...]:
        """Vietnamese, English, then the other folders by code."""
        first = [lang for lang in FIRST if lang in self.by_lang]
        return (*first, *sorted(set(self.by_lang) - set(first)))

    def all_keys(self) -> list[str]:
        """Every key, in the order of the Vietnamese file."""
        return list(self.by_lang[DEFAULT_LANG])

    def text(self, key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
        """The text of ``key`` in ``lang`` (Vietnamese where ``lang`` lacks it),
        its placeholders filled from ``values``.

        A text is formatted only when ``values`` are given, so a text without
        placeholders may hold braces (a JSON example).

        Raises
        ------
        MissingText
            When not even Vietnamese has ``key``.
        KeyError
            When a placeholder of the text is not in ``values``.
        """
        reference = self.by_lang[DEFAULT_LANG]
        found = self.by_lang.get(lang, reference).get(key)
        if found is None:
            found = reference.get(key)
            if found is None:
                raise MissingText(key)
        return found.format(**values) if values else found


@cache
def catalogue() -> Catalogue:
    """The catalogue of :data:`DIRECTORY`, read once."""
    return Catalogue.load(DIRECTORY)


def languages() -> tuple[str, ...]:
    """The languages a person may choose: one per folder, Vietnamese first."""
    return catalogue().languages


def texts(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text of ``key`` in ``lang``, falling back to Vietnamese; see :meth:`Catalogue.text`.

    A value that is itself a :class:`~surveys.Text` is put in the same
    language: ``texts("x", "en", verdict=label("verdict.better"))``.
    """
    filled = {k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()}
    return catalogue().text(key, lang, **filled)


@dataclass(frozen=True)
class Label(Text):
    """A :class:`~surveys.Text` that remembers its catalogue key, so it reads
    in any language of the catalogue, not only the Vietnamese and English it
    carries (and that the report's JSON shows)."""

    key: str = ""
    values: tuple[tuple[str, object], ...] = ()

    def get(self, lang: str) -> str:
        if lang in ("vi", "en") or not self.key:
            return super().get(lang)
        return texts(self.key, lang, **dict(self.values))


def label(key: str, **values: object) -> Label:
    """The text of ``key`` in every language, for plain data such as a report."""
    return Label(texts(key, "vi", **values), texts(key, "en", **values), key, tuple(values.items()))
