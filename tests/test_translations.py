"""Every string is translated, none is fuzzy, and the compiled .mo says what the .po says.

That the catalogues hold every string of the code is CI's `make messages-check` (it needs GNU
gettext to read the code).
"""

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def messages(po):
    with po.open("rb") as file:
        catalogue = read_po(file)
    return catalogue, [message for message in catalogue if message.id]


def as_list(value):
    return list(value) if isinstance(value, tuple | list) else [value]


def test_every_language_but_english_has_a_catalogue():
    assert sorted(po.parts[-3] for po in CATALOGUES) == sorted(TRANSLATED)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_every_string_is_translated_and_none_is_fuzzy(po):
    catalogue, entries = messages(po)

    untranslated = [m.id for m in entries if not all(as_list(m.string))]
    fuzzy = [m.id for m in entries if m.fuzzy]

    assert entries
    assert untranslated == []
    assert fuzzy == []
    assert not catalogue.fuzzy, "the header is marked fuzzy"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_every_translation_keeps_the_placeholders(po):
    catalogue, _ = messages(po)

    errors = [(message.id, [str(e) for e in found]) for message, found in catalogue.check()]

    assert errors == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_the_compiled_catalogue_is_the_po_compiled(po):
    _, entries = messages(po)
    with po.with_suffix(".mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)._catalog

    def key(message, msgid):
        return f"{message.context}\x04{msgid}" if message.context else msgid

    expected = {}
    for message in entries:
        if message.pluralizable:
            for n, text in enumerate(as_list(message.string)):
                expected[(key(message, message.id[0]), n)] = text
        else:
            expected[key(message, message.id)] = message.string
    assert {k: v for k, v in compiled.items() if k != ""} == expected


def test_japanese_has_one_plural_form():
    catalogue, _ = messages(LOCALE / "ja" / "LC_MESSAGES" / "django.po")

    assert catalogue.plural_forms == "nplurals=1; plural=0;"


OUR_APPS = {"accounts", "properties", "reservations", "ivr", "messaging", "simulator", "limits"}


def test_every_model_and_field_of_ours_has_a_translatable_name():
    plain = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        if not isinstance(model._meta.original_attrs.get("verbose_name"), Promise):
            plain.append(model.__name__)
        plain += [
            f"{model.__name__}.{field.name}"
            for field in model._meta.concrete_fields
            if not field.primary_key and not isinstance(field._verbose_name, Promise)
        ]

    assert plain == []
