"""The phone simulator's page, and the words its script shows, in Japanese."""

import json
import re

import pytest

from tests.conftest import SIMULATOR_PERMISSIONS, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    user = make_user(first_name="Stella", is_staff=True, language="ja")
    return grant(user, *SIMULATOR_PERMISSIONS)


def test_the_page_and_its_scripts_words_are_japanese(client, staff):
    client.force_login(staff)

    response = client.get("/phone/", headers={"Accept-Language": "ja"})

    assert response.status_code == 200
    assert "<h1>電話シミュレーター</h1>" in response.text
    assert "ET Phone Homeに電話" in response.text
    script_data = re.search(
        r'<script id="simulator-strings" type="application/json">(.*?)</script>', response.text
    )
    strings = json.loads(script_data.group(1))
    assert strings["pick_phone"] == "先に電話を選んでください。"
    assert strings["connecting"] == "%(number)s に接続しています…"
    assert strings["call_ended"] == "通話が終了しました。"
