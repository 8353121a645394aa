"""The simulator's TwiML interpreter, on documents a small stand-in for Airtng serves."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from airtng.simulator.twiml import MAX_HOPS, Answer, Call

START = "https://airtng.example.com/ivr/welcome"


class Airtng:
    """Serves a TwiML document per URL path and records each request Twilio would make."""

    def __init__(self, documents, cookies=None):
        self.documents = documents
        self.cookies = cookies or {}
        self.requests = []

    def __call__(self, method, url, params, cookies):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.requests.append(
            {"method": method, "url": url, "params": params or query, "cookies": dict(cookies)}
        )
        document = self.documents.get(parts.path)
        if document is None:
            return Answer(404, b"")
        return Answer(
            200, f"<Response>{document}</Response>".encode(), self.cookies.get(parts.path, ())
        )

    @property
    def paths(self):
        return [urlsplit(request["url"]).path for request in self.requests]


def call_to(url=START, **params):
    return Call.placed(url=url, params={"CallSid": "CA1", "From": "+15555550100", **params})


def kinds(steps):
    return [step["kind"] for step in steps]


# --- Requests: URLs, methods, CallStatus, cookies ---------------------------------------------


@pytest.mark.parametrize(
    ("target", "requested"),
    [
        ("menu", "https://airtng.example.com/ivr/menu"),
        ("../voice", "https://airtng.example.com/voice"),
        ("/voice", "https://airtng.example.com/voice"),
        ("?step=2", "https://airtng.example.com/ivr/welcome?step=2"),
        ("https://other.example/x", "https://other.example/x"),
    ],
)
def test_a_relative_url_is_resolved_against_the_current_document(target, requested):
    airtng = Airtng({"/ivr/welcome": f"<Redirect>{target}</Redirect>"})

    call_to().start(airtng)

    assert airtng.requests[1]["url"].startswith(requested)


def test_a_gathers_action_defaults_to_the_current_documents_url():
    airtng = Airtng({"/ivr/welcome": "<Gather numDigits='1'/>"})
    call = call_to()
    call.start(airtng)

    call.press("4", airtng)

    assert airtng.requests[1]["url"] == START
    assert airtng.requests[1]["params"]["Digits"] == "4"


def test_the_first_request_says_ringing_and_the_next_in_progress():
    airtng = Airtng({"/ivr/welcome": "<Redirect>/ivr/menu</Redirect>", "/ivr/menu": "<Hangup/>"})

    call_to().start(airtng)

    assert [r["params"]["CallStatus"] for r in airtng.requests] == ["ringing", "in-progress"]


def test_a_get_redirect_sends_the_parameters_in_the_query():
    airtng = Airtng(
        {"/ivr/welcome": "<Redirect method='GET'>/ivr/menu?x=1</Redirect>", "/ivr/menu": ""}
    )

    call_to().start(airtng)

    second = airtng.requests[1]
    assert second["method"] == "GET"
    query = parse_qs(urlsplit(second["url"]).query)
    assert query["x"] == ["1"]
    assert query["CallSid"] == ["CA1"]


def test_a_gather_posts_by_default_and_gets_when_told():
    airtng = Airtng(
        {"/ivr/welcome": "<Gather numDigits='1' action='/ivr/menu' method='GET'/>", "/ivr/menu": ""}
    )
    call = call_to()
    call.start(airtng)

    call.press("1", airtng)

    assert [r["method"] for r in airtng.requests] == ["POST", "GET"]
    assert airtng.requests[1]["params"]["Digits"] == "1"


def test_cookies_airtng_sets_are_sent_back_for_the_rest_of_the_call_only():
    airtng = Airtng(
        {"/ivr/welcome": "<Redirect>/ivr/menu</Redirect>", "/ivr/menu": "<Gather/>"},
        cookies={"/ivr/welcome": ["revision=7; Path=/; HttpOnly"]},
    )
    call = call_to()
    call.start(airtng)
    call.press("1", airtng)
    call.wait(airtng)

    call_to().start(airtng)  # another call starts with none, until Airtng sets it again

    assert [r["cookies"] for r in airtng.requests] == [
        {},
        {"revision": "7"},
        {"revision": "7"},
        {},
        {"revision": "7"},
    ]


def test_a_redirect_loop_stops_at_the_hop_limit_with_an_error():
    airtng = Airtng({"/ivr/welcome": "<Redirect>welcome</Redirect>"})

    steps = call_to().start(airtng)

    assert len(airtng.requests) == MAX_HOPS
    assert steps[-1]["kind"] == "error"
    assert steps[-1]["reason"] == f"more than {MAX_HOPS} documents in a row"


def test_a_key_pressed_resets_the_hop_count():
    airtng = Airtng({"/ivr/welcome": "<Gather numDigits='1'/>"})
    call = call_to()
    call.start(airtng)

    for _ in range(MAX_HOPS + 5):
        call.press("1", airtng)

    assert not call.ended


# --- <Gather>: finishOnKey, numDigits, timeouts ----------------------------------------------


def test_the_finish_key_ends_the_gather_and_is_never_sent_as_a_digit():
    airtng = Airtng({"/ivr/welcome": "<Gather action='/pin'/>", "/pin": "<Hangup/>"})
    call = call_to()
    call.start(airtng)

    for key in "1234#":
        call.press(key, airtng)

    assert airtng.requests[-1]["params"]["Digits"] == "1234"
    assert call.ended


def test_another_finish_key_makes_hash_a_digit():
    airtng = Airtng({"/ivr/welcome": "<Gather finishOnKey='*' action='/pin'/>", "/pin": ""})
    call = call_to()
    call.start(airtng)

    for key in "1#*":
        call.press(key, airtng)

    assert airtng.requests[-1]["params"]["Digits"] == "1#"


def test_the_finish_key_alone_is_an_empty_result_and_falls_through():
    airtng = Airtng({"/ivr/welcome": "<Gather action='/pin'/><Say>Goodbye</Say>"})
    call = call_to()
    call.start(airtng)

    steps = call.press("#", airtng)

    assert airtng.paths == ["/ivr/welcome"]
    assert kinds(steps) == ["press", "say", "hangup"]


def test_num_digits_submits_as_soon_as_they_are_pressed():
    airtng = Airtng({"/ivr/welcome": "<Gather numDigits='2' action='/pin'/>", "/pin": ""})
    call = call_to()
    call.start(airtng)

    call.press("1", airtng)
    assert airtng.paths == ["/ivr/welcome"]
    call.press("2", airtng)

    assert airtng.requests[-1]["params"]["Digits"] == "12"


def test_no_key_within_the_timeout_falls_through_to_the_next_verb():
    airtng = Airtng(
        {
            "/ivr/welcome": "<Gather timeout='7' action='/pin'><Say>Your PIN?</Say></Gather>"
            "<Say>We did not hear you.</Say><Redirect>/bye</Redirect>",
            "/bye": "<Hangup/>",
        }
    )
    call = call_to()
    call.start(airtng)

    steps = call.wait(airtng)

    assert kinds(steps) == ["timeout", "say", "request", "hangup"]
    assert steps[0]["seconds"] == 7
    assert airtng.paths == ["/ivr/welcome", "/bye"]


def test_with_action_on_empty_result_the_timeout_goes_to_the_action():
    airtng = Airtng(
        {
            "/ivr/welcome": "<Gather actionOnEmptyResult='true' action='/pin'/><Say>Never</Say>",
            "/pin": "<Hangup/>",
        }
    )
    call = call_to()
    call.start(airtng)

    steps = call.wait(airtng)

    assert airtng.paths == ["/ivr/welcome", "/pin"]
    assert airtng.requests[-1]["params"]["Digits"] == ""
    assert "say" not in kinds(steps)


def test_keys_typed_before_the_timeout_are_sent_when_it_runs_out():
    airtng = Airtng({"/ivr/welcome": "<Gather action='/pin'/>", "/pin": ""})
    call = call_to()
    call.start(airtng)

    call.press("4", airtng)
    call.press("2", airtng)
    call.wait(airtng)

    assert airtng.requests[-1]["params"]["Digits"] == "42"


def test_a_key_outside_a_gather_is_heard_by_no_one():
    airtng = Airtng({"/ivr/welcome": "<Say>Hello</Say>"})
    call = call_to()
    call.start(airtng)

    assert call.press("1", airtng) == []
    assert airtng.paths == ["/ivr/welcome"]


def test_a_key_that_is_not_on_a_keypad_is_refused():
    with pytest.raises(ValueError):
        call_to().press("a", Airtng({}))


def test_what_the_gather_waits_for_uses_twilios_defaults():
    airtng = Airtng({"/ivr/welcome": "<Gather/>"})
    call = call_to()
    call.start(airtng)

    assert call.waiting == {"digits": "", "num_digits": 0, "finish_on_key": "#", "timeout": 5}


# --- Time: Say, loop, Pause; nothing sleeps ---------------------------------------------------


def test_the_clock_moves_by_what_is_said_paused_and_waited(time_machine):
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)
    airtng = Airtng(
        {
            "/ivr/welcome": "<Say loop='2'>one two three four five</Say><Pause length='3'/>"
            "<Pause/><Gather timeout='4'/>"
        }
    )
    call = call_to()

    steps = call.start(airtng)
    started = call.clock - timedelta(seconds=2 * 2 + 3 + 1)
    timed_out = call.wait(airtng)

    at = [step["at"][11:19] for step in steps if step["kind"] != "request"]
    assert at == ["10:00:00", "10:00:04", "10:00:07", "10:00:08"]
    assert started.isoformat()[11:19] == "10:00:00"
    assert timed_out[0]["at"][11:19] == "10:00:12"
    assert call.seconds == 12


def test_a_step_the_caller_takes_later_is_at_the_real_time(time_machine):
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)
    airtng = Airtng({"/ivr/welcome": "<Gather numDigits='1'/>"})
    call = call_to()
    call.start(airtng)

    time_machine.move_to("2026-12-01 10:05:00+00:00", tick=False)
    steps = call.press("1", airtng)

    assert steps[0]["at"][11:19] == "10:05:00"


def test_say_keeps_its_loop_voice_and_language():
    airtng = Airtng(
        {
            "/ivr/welcome": "<Say loop='3' voice='Polly.Amy' language='en-GB'>Hi</Say>"
            "<Say loop='0'>Again</Say><Say loop='nonsense'>Once</Say>"
        }
    )

    steps = call_to().start(airtng)

    said = [(s["text"], s["loop"], s["voice"], s["language"]) for s in steps if s["kind"] == "say"]
    assert said == [
        ("Hi", 3, "Polly.Amy", "en-GB"),
        ("Again", 1000, "", ""),  # Twilio repeats loop="0" up to 1000 times
        ("Once", 1, "", ""),
    ]


def test_play_is_resolved_like_any_url_and_pause_length_defaults_to_one_second():
    airtng = Airtng({"/ivr/welcome": "<Play>tone.mp3</Play><Pause length='-2'/>"})

    steps = call_to().start(airtng)

    assert steps[1]["url"] == "https://airtng.example.com/ivr/tone.mp3"
    assert steps[2]["seconds"] == 1


# --- How a call ends ----------------------------------------------------------------------


def test_dial_names_the_number_and_the_caller_id_and_ends_the_call():
    airtng = Airtng(
        {
            "/ivr/welcome": "<Dial callerId='+15005550101'><Number>+17262043675</Number></Dial>"
            "<Say>Never heard</Say>"
        }
    )
    call = call_to()

    steps = call.start(airtng)

    assert (steps[-1]["kind"], steps[-1]["number"], steps[-1]["caller_id"]) == (
        "dial",
        "+17262043675",
        "+15005550101",
    )
    assert call.ended


@pytest.mark.parametrize(
    ("document", "kind"),
    [("<Hangup/><Say>x</Say>", "hangup"), ("<Reject reason='busy'/>", "reject"), ("", "hangup")],
)
def test_hangup_reject_and_the_end_of_the_document_end_the_call(document, kind):
    call = call_to()

    steps = call.start(Airtng({"/ivr/welcome": document}))

    assert steps[-1]["kind"] == kind
    assert call.ended


def test_the_caller_hangs_up_and_nothing_more_happens():
    airtng = Airtng({"/ivr/welcome": "<Gather/>"})
    call = call_to()
    call.start(airtng)

    assert kinds(call.hang_up()) == ["hung_up"]
    assert call.press("1", airtng) == [] and call.wait(airtng) == [] and call.hang_up() == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<Response><Say>unclosed</Response>", "not well-formed XML"),
        (b"not xml at all \xff", "not well-formed XML"),
        (b"<html><body>Oops</body></html>", "the root element is <html>, not <Response>"),
        (b"<Response><Record/></Response>", "<Record> is not a verb it plays"),
    ],
)
def test_malformed_twiml_is_a_clear_error_not_a_crash(body, reason):
    call = call_to()

    steps = call.start(lambda method, url, params, cookies: Answer(200, body))

    assert steps[-1]["kind"] == "error"
    assert steps[-1]["reason"].startswith(reason)
    assert call.ended


def test_an_error_status_ends_the_call_with_it():
    steps = call_to().start(Airtng({}))

    assert kinds(steps) == ["request", "error"]
    assert steps[-1]["reason"] == "Airtng answered 404"


def test_a_call_resumes_from_its_saved_state():
    airtng = Airtng({"/ivr/welcome": "<Gather numDigits='1' action='/ivr/menu'/>", "/ivr/menu": ""})
    call = call_to()
    call.start(airtng)

    resumed = Call(dict(call.state))
    resumed.press("2", airtng)

    assert airtng.paths == ["/ivr/welcome", "/ivr/menu"]
