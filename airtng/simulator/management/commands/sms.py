import requests
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from airtng.simulator.forms import e164_number
from airtng.simulator.phone import HttpTransport, Phone, Refused, TestClientTransport
from airtng.simulator.twiml import TwimlError


class Command(BaseCommand):
    help = "Text Airtng from a phone number, as Twilio would deliver it, and print the reply."

    def add_arguments(self, parser):
        parser.add_argument("number", help="The phone sending the SMS, E.164.")
        parser.add_argument("body", help="What the SMS says.")
        parser.add_argument(
            "--to", default=None, help="The number texted: Airtng's own (default) or a proxy."
        )
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--in-process", action="store_true", help="Use Django's test client, no server."
        )

    def handle(self, *args, number, body, to, server, in_process, **options):
        try:
            number = e164_number(number.strip())
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        transport = TestClientTransport() if in_process else HttpTransport(server)
        try:
            replies = Phone(number, transport).text(body, to=to)
        except Refused as refused:
            raise CommandError(refused) from None
        except TwimlError as error:
            raise CommandError(f"Airtng's reply is not TwiML: {error}.") from None
        except requests.RequestException as error:
            raise CommandError(f"Could not reach {server}: {error}") from None
        for reply in replies:
            self.stdout.write(f"Airtng: {reply}")
        if not replies:
            self.stdout.write("(no reply)")
