"""What a call to /voice costs: the caller is looked up once, for their language and greeting.

The call log writes its steps in batches after the answers (tests/ivr/test_call_log.py).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import twiml_root
from tests.ivr.test_voice_line import STRANGER, attested_call, call_from, said

JAPANESE_STRANGER = "+819012345678"
pytestmark = pytest.mark.usefixtures("call_log_in_batches")


def queries_of(twilio_post, params):
    twilio_post("/voice", params)  # each thread's first request loads what it needs once
    with CaptureQueriesContext(connection) as queries:
        root = twiml_root(twilio_post("/voice", params))
    return len(queries), root


@pytest.mark.parametrize(
    ("caller", "queries"), [(STRANGER, 1), (JAPANESE_STRANGER, 1), ("anonymous", 0)]
)
def test_an_unknown_caller_costs_at_most_one_query(db, twilio_post, caller, queries):
    count, root = queries_of(twilio_post, call_from(caller))

    assert count == queries
    assert len(said(root)) == 1


def test_a_verified_guest_costs_four_queries(twilio_post, guest):
    count, root = queries_of(twilio_post, call_from(guest.phone_number))

    # Whether anyone owns the number, its owner, their offer, their oldest pending request.
    assert count == 4
    assert said(root) == ["Thanks for calling, Gus!"]


def test_a_host_with_a_request_costs_at_most_three_queries(
    twilio_post, listing, guest, make_reservation
):
    make_reservation(listing, guest)

    count, root = queries_of(twilio_post, attested_call(listing.host.phone_number))

    assert count <= 3
    assert root.find("./Gather") is not None
