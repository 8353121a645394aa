import requests
from django.core.management.base import BaseCommand, CommandError

from airtng.simulator.phone import HttpTransport, Phone, TestClientTransport


class Command(BaseCommand):
    help = "Call Airtng from a phone number, press keys at each menu, and print what is heard."

    def add_arguments(self, parser):
        parser.add_argument("number", help="The phone calling, E.164.")
        parser.add_argument(
            "--to", default="/voice", help="Where the call goes: /voice or /ivr/welcome."
        )
        parser.add_argument(
            "--number-called", default=None, help="Airtng's own number (default) or a proxy."
        )
        parser.add_argument("--digits", nargs="*", default=[], help="Keys, one per menu.")
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
        transport = TestClientTransport() if in_process else HttpTransport(server)
        phone = Phone(number, transport)
        try:
            calling = phone.answer(digits) if answer else phone.call(to, digits, to=number_called)
            for line in calling:
                self.stdout.write(line)
        except requests.RequestException as error:
            raise CommandError(f"Could not reach {server}: {error}") from None
