"""Without Twilio credentials and with DEBUG off, no SMS is marked sent unless the operator says so.

../shared/PRODUCT.md, "Settings": `check --deploy` reports it as an error, and the worker refuses
to start unless `SMS_RECORD_ONLY=true`.
"""

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from airtng.messaging.services import queue_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_credentials(settings):
    settings.DEBUG = False
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    settings.SMS_RECORD_ONLY = False


def test_check_deploy_reports_missing_credentials_as_an_error(no_credentials):
    with pytest.raises(SystemCheckError, match="airtng.E002"):
        call_command("check", "--deploy", "--tag", "airtng")


def test_check_deploy_accepts_record_only_said_on_purpose(no_credentials, settings, capsys):
    settings.SMS_RECORD_ONLY = True

    call_command("check", "--deploy", "--tag", "airtng")

    assert "no issues" in capsys.readouterr().out


def test_check_deploy_accepts_credentials(no_credentials, settings, capsys):
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = "a-real-token"

    call_command("check", "--deploy", "--tag", "airtng")

    assert "no issues" in capsys.readouterr().out


def test_the_worker_refuses_to_start_without_credentials(no_credentials, transactional_db):
    message = queue_sms(to="+12015550123", body="Hi")

    with pytest.raises(CommandError, match="SMS_RECORD_ONLY"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    message.refresh_from_db()
    assert (message.status, message.sid) == ("pending", None)


def test_with_record_only_the_worker_records_each_sms_as_sent(
    twilio, no_credentials, settings, run_worker
):
    settings.SMS_RECORD_ONLY = True
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()

    message.refresh_from_db()
    assert message.status == "sent"
    assert message.sid.startswith("SM")
    assert twilio.requests == []


def test_the_development_run_records_without_being_told(no_credentials, settings, run_worker):
    settings.DEBUG = True
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()

    message.refresh_from_db()
    assert message.status == "sent"
