import requests
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from airtng.simulator.forms import e164_number
from airtng.simulator.phone import HttpTransport, Phone, TestClientTransport
from airtng.simulator.steps import elapsed, line
from airtng.simulator.twiml import KEYS


class Command(BaseCommand):
    help = (
        "Call Airtng from a phone number, press keys at each menu, and print what is heard, "
        "each step with its time on the call."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="The phone calling, E.164.")
        parser.add_argument(
            "--to", default="/voice", help="Where the call goes: /voice or /ivr/welcome."
        )
        parser.add_argument(
            "--number-called", default=None, help="Airtng's own number (default) or a proxy."
        )
        parser.add_argument(
            "--digits",
            nargs="*",
            default=[],
            help="Keys, one group per menu (a menu that wants more waits out its timeout).",
        )
        parser.add_argument(
            "--answer",
            action="store_true",
            help="Answer the call Airtng placed to this number, instead of calling.",
        )
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--in-process", action="store_true", help="Use Django's test client, no server."
        )

    def handle(
        self, *args, number, to, number_called, digits, server, in_process, answer, **options
    ):
        try:
            number = e164_number(number.strip())
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        if not to.startswith("/"):
            raise CommandError("--to is a path on Airtng, such as /voice or /ivr/welcome.")
        if any(key not in KEYS for group in digits for key in group):
            raise CommandError("Keys are 0-9, * and #.")
        transport = TestClientTransport() if in_process else HttpTransport(server)
        phone = Phone(number, transport)
        try:
            self.play(phone, to, number_called, digits, answer)
        except requests.RequestException as error:
            raise CommandError(f"Could not reach {server}: {error}") from None

    def play(self, phone, to, number_called, digits, answer):
        if answer:
            placed = phone.ringing()
            if placed is None:
                self.stdout.write("(no call from Airtng is ringing)")
                return
            self.stdout.write(f"Airtng is calling ({placed.sid}): answered")
            call = phone.answer(placed)
        else:
            call = phone.dial(to, to=number_called)
        self.show(call, call.start(phone.fetch))
        groups = list(digits)
        while not call.ended:
            if not groups:
                self.show(call, call.wait(phone.fetch))
                continue
            steps = []
            for key in groups.pop(0):
                if call.ended or call.waiting is None:
                    break
                steps += call.press(key, phone.fetch)
            if call.waiting is not None and call.waiting["digits"]:
                steps += call.wait(phone.fetch)  # keys short of numDigits: the timeout sends them
            self.show(call, steps)
        phone.finish(call)

    def show(self, call, steps):
        for step in steps:
            text = line(step)
            if text is not None:
                self.stdout.write(f"{elapsed(step, call.state['started_at'])} {text}")
