from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from airtng.messaging.models import Message, Status

STATUS_URL = "/sms/status"


@pytest.fixture
def time_passes(db):
    """Every scheduled retry falls due, as if the worker had been down for an hour."""

    def advance():
        an_hour_ago = timezone.now() - timedelta(hours=1)
        Message.objects.filter(status=Status.PENDING, next_attempt_at__isnull=False).update(
            next_attempt_at=an_hour_ago
        )
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=an_hour_ago)

    return advance


@pytest.fixture
def status_callback(twilio_post):
    """Twilio's signed delivery status callback for the SMS `sid`."""

    def post(sid, status, **fields):
        params = {
            "AccountSid": "AC" + "0" * 32,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": "+12015550199",
            "From": "+15005550006",
            "ApiVersion": "2010-04-01",
            **fields,
        }
        return twilio_post(STATUS_URL, {k: v for k, v in params.items() if v is not None})

    return post
