"""The text catalogue (app/translations, read by app.texts): Vietnamese and
English complete and alike, a missing key fails loudly, and a province adds a
language by adding a folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app import texts as texts_module
from app.texts import DEFAULT_LANG, Catalogue, MissingText, catalogue, label, languages, placeholders, texts

APP = Path(__file__).parents[2] / "app"
#: literal keys handed to the text helpers: t("…"), translate("…"), texts("…"), label("…"), tr(pdf, "…")
KEY_USE = re.compile(r"""\b(?:t|translate|texts|label|_text|_texts)\(\s*["']([a-z]+(?:\.[a-z0-9_]+)+)["']""")


def test_vietnamese_and_english_have_the_same_keys():
    by_lang = catalogue().by_lang
    assert len(by_lang["vi"]) > 400
    assert sorted(set(by_lang["vi"]) - set(by_lang["en"])) == []
    assert sorted(set(by_lang["en"]) - set(by_lang["vi"])) == []


def test_vietnamese_and_english_have_the_same_placeholders():
    vi, en = catalogue().by_lang["vi"], catalogue().by_lang["en"]
    differ = [key for key in vi if placeholders(vi[key]) != placeholders(en[key])]
    assert differ == []


def test_the_shipped_catalogue_loads_without_problems():
    assert catalogue().problems == ()
    assert languages()[:2] == ("vi", "en")


def test_no_text_is_empty_or_a_key():
    for lang in ("vi", "en"):
        for key, text in catalogue().by_lang[lang].items():
            assert text.strip(), (lang, key)
            assert text != key, (lang, key)


def test_every_key_the_code_names_exists():
    sources = [*APP.rglob("*.py"), *APP.rglob("*.html")]
    used = {key for source in sources for key in KEY_USE.findall(source.read_text(encoding="utf-8"))}
    assert len(used) > 250
    assert sorted(used - set(catalogue().all_keys())) == []


def test_a_missing_key_raises():
    with pytest.raises(MissingText):
        texts("no.such.key")
    with pytest.raises(MissingText):
        texts("no.such.key", "en")
    with pytest.raises(KeyError):  # a placeholder without its value
        texts("rep.responses", "vi", m=3)


def test_texts_fills_placeholders_only_when_given_values():
    assert texts("rep.responses", "vi", n=12) == "12 phiếu"
    assert texts("rep.responses", "en", n=12) == "12 responses"
    # a text without values may hold braces (a JSON example)
    assert '{"interviews": [...]}' in texts("api.batch_shape", "en")


def test_an_unknown_language_reads_vietnamese():
    assert texts("form.submit", "xx") == texts("form.submit", DEFAULT_LANG) == "Gửi đánh giá"


def test_a_label_carries_both_languages_and_its_key():
    made = label("rep.responses", n=3)
    assert (made.vi, made.en, made.get("en")) == ("3 phiếu", "3 responses", "3 responses")


# ---------------------------------------------------------------- a new language


EDE = """msgid ""
msgstr ""
"Language: ede\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "lang.name"
msgstr "Klei Êđê"

msgid "form.submit"
msgstr "Mơĭt klei wĭt lŏ"

#, fuzzy
msgid "thanks.title"
msgstr "not checked yet"

msgid "rep.responses"
msgstr "{count} hlăk"

msgid "no.such.key"
msgstr "anything"
"""


@pytest.fixture
def with_ede(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped catalogue plus an Ê Đê folder with a handful of keys (one
    fuzzy, one with the wrong placeholder, one unknown)."""
    directory = tmp_path / "translations"
    shutil.copytree(texts_module.DIRECTORY, directory)
    (directory / "ede" / "LC_MESSAGES").mkdir(parents=True)
    (directory / "ede" / "LC_MESSAGES" / "messages.po").write_text(EDE, encoding="utf-8")
    (directory / "README").write_text("not a language")
    monkeypatch.setattr(texts_module, "DIRECTORY", directory)
    catalogue.cache_clear()
    yield directory
    catalogue.cache_clear()


def test_a_new_language_folder_is_a_new_language(with_ede):
    assert languages() == ("vi", "en", "ede")
    assert texts("form.submit", "ede") == "Mơĭt klei wĭt lŏ"
    # untranslated, fuzzy or broken entries fall back to Vietnamese
    assert texts("form.required_note", "ede") == texts("form.required_note", "vi")
    assert texts("thanks.title", "ede") == "Cảm ơn ông/bà!"
    assert texts("rep.responses", "ede", n=4) == "4 phiếu"
    problems = catalogue().problems
    assert any("rep.responses" in p and "placeholders" in p for p in problems)
    assert any("no.such.key" in p for p in problems)
    assert label("form.submit").get("ede") == "Mơĭt klei wĭt lŏ"


def test_a_page_in_the_new_language(with_ede, client):
    page = client.get("/s/no-such-token?lang=ede")
    html = page.get_data(as_text=True)
    assert '<html lang="ede"' in html
    assert "Không tìm thấy phiếu khảo sát" in html  # not translated yet: Vietnamese
    # the language switch offers the other two, each named in its own language
    assert ">Tiếng Việt</a>" in html
    assert ">English</a>" in html
    assert "Klei Êđê</a>" not in html
    assert page.headers["Content-Language"] == "ede"


def test_a_catalogue_needs_vietnamese(tmp_path: Path):
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text(EDE, encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        Catalogue.load(tmp_path)


def test_filter_errors_are_in_both_languages():
    from app.reports.forms import FilterError, report_request

    with pytest.raises(FilterError) as caught:
        report_request({"period": "week"})
    assert caught.value.text("en").startswith("the period must be one of: month, quarter")
    assert caught.value.message.startswith("kỳ báo cáo phải là một trong: month, quarter")


def test_unit_level_names_come_from_the_catalogue():
    from app.models.units import UNIT_LEVEL_NAMES
    from app.services.reports.labels import LEVEL_NAMES

    assert UNIT_LEVEL_NAMES["district"] == (LEVEL_NAMES["district"].vi, LEVEL_NAMES["district"].en)
    assert UNIT_LEVEL_NAMES["commune"] == (texts("level.commune", "vi"), texts("level.commune", "en"))
