"""Demo hosts, guests and properties, with photos drawn here so they show offline."""

import io
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image, ImageDraw

from accounts.models import User
from properties.images import prepare_photo
from properties.models import Property
from properties.services import add_photos

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "airtng-admin"
DEMO_PASSWORD = "airtng-demo"

# Numbers from the 555-01xx range, which is reserved for fiction.
PEOPLE = [
    {"email": "hannah@example.com", "first_name": "Hannah", "phone_number": "+12025550101"},
    {"email": "ravi@example.com", "first_name": "Ravi", "phone_number": "+12025550102"},
    {"email": "gus@example.com", "first_name": "Gus", "phone_number": "+12025550103"},
    {"email": "mei@example.com", "first_name": "Mei", "phone_number": "+12025550104"},
]

LISTINGS = [
    ("hannah@example.com", "Cabin by the lake", "Lake Placid, NY", "120", "USD", 4, (46, 125, 50)),
    ("hannah@example.com", "Loft above the bakery", "Portland, OR", "95", "USD", 2, (191, 54, 12)),
    (
        "ravi@example.com",
        "Adobe house with a view",
        "Santa Fe, NM",
        "150",
        "USD",
        6,
        (198, 120, 40),
    ),
    ("ravi@example.com", "Beach bungalow", "Kailua, HI", "210", "USD", 3, (2, 119, 189)),
    ("ravi@example.com", "Machiya townhouse", "Kyōto, Japan", "18000", "JPY", 4, (120, 72, 40)),
]

DESCRIPTION = "A calm place to stay in {location}, a short walk from everything you came for."


def house_picture(colour):
    """A 960×720 JPEG of a little house on a hill, in the listing's colour."""
    image = Image.new("RGB", (960, 720), (225, 238, 250))
    draw = ImageDraw.Draw(image)
    draw.ellipse((-200, 470, 1160, 1100), fill=(120, 170, 90))
    draw.rectangle((330, 330, 630, 560), fill=colour)
    draw.polygon([(300, 340), (480, 190), (660, 340)], fill=(90, 60, 50))
    draw.rectangle((455, 440, 505, 560), fill=(250, 240, 220))
    draw.rectangle((365, 380, 420, 430), fill=(250, 240, 220))
    draw.rectangle((540, 380, 595, 430), fill=(250, 240, 220))
    draw.ellipse((760, 70, 860, 170), fill=(255, 204, 64))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create demo hosts, guests, properties and an admin account. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    @transaction.atomic
    def handle(self, *args, if_empty, **options):
        if not settings.DEBUG:
            # Its admin password is published in the README.
            raise CommandError("seed_demo runs only with DEBUG on: it creates a known superuser.")
        if if_empty and User.objects.exists():
            self.stdout.write("The database has users already; no demo data added.")
            return
        admin, created = User.objects.get_or_create(
            email=ADMIN_EMAIL,
            defaults={
                "first_name": "Admin",
                "phone_number": "+12025550100",
                "phone_verified": True,
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            admin.set_password(ADMIN_PASSWORD)
            admin.save(update_fields=["password"])
        people = {}
        for fields in PEOPLE:
            user, created = User.objects.get_or_create(
                email=fields["email"], defaults={**fields, "phone_verified": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            people[user.email] = user
        for email, title, location, price, currency, max_guests, colour in LISTINGS:
            listing, created = Property.objects.get_or_create(
                host=people[email],
                title=title,
                defaults={
                    "location": location,
                    "description": DESCRIPTION.format(location=location),
                    "nightly_price": Decimal(price),
                    "currency": currency,
                    "max_guests": max_guests,
                },
            )
            if not listing.photos.exists():
                slug = title.lower().replace(" ", "-")
                picture = ContentFile(house_picture(colour), name=f"{slug}.jpg")
                add_photos(listing=listing, photos=[prepare_photo(picture)])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD} at /admin/. "
                f"Hosts and guests ({', '.join(people)}) use the password {DEMO_PASSWORD}."
            )
        )
