"""Staff reading the admin in Japanese see our models and fields named in Japanese."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_our_apps_and_models_in_japanese(client, staff):
    staff.language = "ja"
    staff.save(update_fields=["language"])
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 200
    for name in ("予約", "物件", "電話メニュー", "SMS履歴", "回数制限"):
        assert name in response.text


def test_a_change_list_names_the_fields_in_japanese(client, staff, listing):
    staff.language = "ja"
    staff.save(update_fields=["language"])
    client.force_login(staff)

    response = client.get("/admin/properties/property/")

    assert "1泊の料金" in response.text
    assert "最大宿泊人数" in response.text


def test_an_empty_choice_reads_in_japanese(client, staff):
    # Django 6.1's blank choice is new and its own Japanese catalogue lacks it.
    staff.language = "ja"
    staff.save(update_fields=["language"])
    client.force_login(staff)

    assert client.post("/admin/ivr/revision/start-draft/").status_code == 302
    response = client.get("/admin/ivr/menu/add/")  # its options' keys and actions

    assert response.status_code == 200
    assert "- Select an option -" not in response.text
    assert "- 選択してください -" in response.text
