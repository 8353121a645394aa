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
    assert strings["opted_out"].startswith("この番号はSTOPを送信済みです。")
    assert strings["call_ended"] == "通話が終了しました。"


def test_a_calls_steps_and_errors_are_in_japanese(client, staff, twilio, settings):
    settings.PUBLIC_BASE_URL = ""
    client.force_login(staff)
    ja = {"Accept-Language": "ja"}

    started = client.post(
        "/phone/call/start", {"number": "+15555550100", "line": "ivr"}, headers=ja
    ).json()
    call = f"/phone/call/{started['id']}"
    client.post(f"{call}/press", {"key": "2"}, headers=ja)
    dialled = client.post(f"{call}/press", {"key": "3"}, headers=ja).json()
    refused = client.post("/phone/call/start", {"number": "12345", "line": "ivr"}, headers=ja)

    assert started["steps"][-1]["text"] == "キーを押してください"
    assert started["waiting_label"] == (
        "キー入力を待っています（# で確定）。5 秒でタイムアウトします。"
    )
    assert dialled["steps"][-1]["text"] == "+17262043675 に接続しています…"
    assert refused.json()["error"] == (
        "「12345」はE.164形式の電話番号ではありません（例: +12025550101）。"
    )
