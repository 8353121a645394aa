"""Staff starting, publishing and reverting at once, on PostgreSQL (SQLite serializes them)."""

import pytest
from django.db import connection

from ivr import revisions
from ivr.models import Menu, Revision
from tests.reservations.test_sms_concurrency import all_at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database with concurrent writers"
)


def test_drafts_started_at_once_are_one_draft(seeded):
    drafts = all_at_once(lambda _: revisions.start_draft().pk, range(10))

    assert len(set(drafts)) == 1
    draft = Revision.objects.get(status=Revision.Status.DRAFT)
    assert draft.menus.count() == Menu.objects.filter(revision__number=1).count()


def test_publishing_and_reverting_at_once_leave_one_live_revision(seeded, make_user):
    staff = make_user(is_staff=True)
    draft = revisions.start_draft()
    first = Revision.objects.get(number=1)

    def make_live(n):
        if n % 2:
            return revisions.publish(revision=draft, by=staff)
        return revisions.revert(revision=first, by=staff)

    outcomes = all_at_once(make_live, range(20))

    assert Revision.objects.filter(status=Revision.Status.LIVE).count() == 1
    publishes = [outcome for n, outcome in enumerate(outcomes) if n % 2]
    assert sum(1 for outcome in publishes if outcome == []) == 1
    assert Revision.objects.filter(status=Revision.Status.DRAFT).count() == 0
