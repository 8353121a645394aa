from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from properties.search_text import listing_search_text


class PropertyQuerySet(models.QuerySet):
    def listed(self):
        """The listings guests may find and request: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def with_cover(self):
        """Each listing with its cover's thumbnail (its first photo's), read in the same query."""
        first = Photo.objects.filter(listing=OuterRef("pk")).order_by("position", "id")
        return self.annotate(cover_thumbnail=Subquery(first.values("thumbnail")[:1]))


class Currency(models.TextChoices):
    """The currencies a listing's price may be in (ISO 4217): those of the countries Airtng
    texts (SMS_COUNTRIES' defaults), US dollars first."""

    USD = "USD", _("US dollars (USD)")
    CAD = "CAD", _("Canadian dollars (CAD)")
    GBP = "GBP", _("Pounds sterling (GBP)")
    JPY = "JPY", _("Japanese yen (JPY)")


# A host's number says which currency they most likely price in.
CURRENCY_OF_COUNTRY = {
    "US": Currency.USD,
    "CA": Currency.CAD,
    "GB": Currency.GBP,
    "JP": Currency.JPY,
}
# Currencies written without a fraction: a price in them is a whole number.
WHOLE_CURRENCIES = {Currency.JPY}


class Property(models.Model):
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="properties",
        verbose_name=_("host"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    location = models.CharField(_("location"), max_length=120)
    nightly_price = models.DecimalField(
        _("nightly price"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(1)],
    )
    # A database default too: listings inserted in SQL (the benchmarks) are in US dollars.
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=Currency,
        default=Currency.USD,
        db_default=Currency.USD,
    )
    max_guests = models.PositiveSmallIntegerField(
        _("maximum guests"), validators=[MinValueValidator(1)]
    )
    # Over https only: a page served over https must not load, or leak to, a plain-http host.
    image_url = models.URLField(
        _("image URL"),
        blank=True,
        validators=[
            URLValidator(
                schemes=["https"], message=_("Give the photo's https:// address."), code="not_https"
            )
        ],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The title and location folded for search (properties/search_text.py), written by save().
    # A database default too: listings inserted in SQL (the benchmarks) have none to fold.
    search_text = models.TextField(_("search text"), editable=False, db_default="")

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The home page: the newest listed first, a page at a time, and how many there are.
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                name="property_listed_newest_idx",
                condition=models.Q(withdrawn_at__isnull=True),
            ),
            # A search sorted by price, cheapest or dearest first, a page at a time.
            models.Index(
                F("nightly_price"),
                F("id"),
                name="property_listed_price_idx",
                condition=models.Q(withdrawn_at__isnull=True),
            ),
            # PostgreSQL also has property_search_text_trgm_idx (migration 0005), for a search
            # by place.
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_guests__gte=1), name="property_max_guests_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(nightly_price__gt=0), name="property_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__in=Currency.values), name="property_currency_known"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = listing_search_text(title=self.title, location=self.location)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "location"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("property_detail", args=[self.pk])

    def clean(self):
        super().clean()
        whole = self.nightly_price is not None and self.nightly_price == int(self.nightly_price)
        if self.currency in WHOLE_CURRENCIES and not whole:
            raise ValidationError(
                {"nightly_price": _("A price in yen is a whole number of yen.")}, code="fraction"
            )

    def price_of_stay(self, nights: int):
        """What `nights` nights cost, in the listing's currency."""
        return self.nightly_price * nights

    @property
    def cover_src(self):
        """The cover's thumbnail, else the image URL, else empty: never a full-size photo.

        Listings read with `with_cover()` know their cover; any other asks for it.
        """
        if not hasattr(self, "cover_thumbnail"):
            self.cover_thumbnail = self.photos.values_list("thumbnail", flat=True).first()
        if self.cover_thumbnail:
            return Photo._meta.get_field("thumbnail").storage.url(self.cover_thumbnail)
        return self.image_url


class Photo(models.Model):
    """One of a listing's photos; the first by position is its cover."""

    listing = models.ForeignKey(
        Property, on_delete=models.CASCADE, related_name="photos", verbose_name=_("listing")
    )
    # Kept upright and without metadata, under a name of our own (see properties.images).
    image = models.ImageField(_("photo"), upload_to="properties/")
    # Empty only for a photo carried over from before thumbnails whose file could not be read.
    thumbnail = models.ImageField(_("thumbnail"), upload_to="properties/thumbnails/", blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]
        indexes = [
            # A listing's photos in order, and its cover, for every card of the home page.
            models.Index(fields=["listing", "position", "id"], name="photo_listing_order_idx"),
        ]

    def __str__(self):
        return f"{self.listing} #{self.position + 1}"
