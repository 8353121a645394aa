import pytest
from django.utils import translation

from accounts.languages import language_for_number, language_of, speaking_to, speech

pytestmark = pytest.mark.django_db


def test_a_verified_owner_is_answered_in_their_own_language(make_user):
    make_user(phone_number="+12025550123", language="ja")
    assert language_for_number("+12025550123") == "ja"


def test_a_number_that_belongs_to_no_one_gets_its_countrys_language():
    assert language_for_number("+819012345678") == "ja"
    assert language_for_number("+12025550199") == "en"
    assert language_for_number("not a number") == "en"


def test_a_japanese_user_with_an_american_number_is_still_answered_in_japanese(make_user):
    user = make_user(phone_number="+12025550124", language="ja")
    assert language_of(user) == "ja"


def test_an_unverified_claim_does_not_choose_the_numbers_language(make_user):
    make_user(phone_number="+819012345679", language="en", phone_verified=False)
    assert language_for_number("+819012345679") == "ja"


def test_speaking_to_a_user_activates_their_language_only_inside_the_block(make_user):
    user = make_user(phone_number="+12025550125", language="ja")
    with translation.override("en"):
        with speaking_to(user) as language:
            assert language == "ja"
            assert translation.get_language() == "ja"
        assert translation.get_language() == "en"


def test_japanese_speech_uses_mizuki_and_english_keeps_the_default_voice():
    assert speech("ja") == {"language": "ja-JP", "voice": "Polly.Mizuki"}
    assert speech("en") == {}
