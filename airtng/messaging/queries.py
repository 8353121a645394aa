"""Reads of the SMS log that staff pages share."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import Message


def conversation_with(number: str) -> QuerySet[Message]:
    """Every SMS to or from `number`, oldest first, with its user, in one query."""
    return (
        Message.objects.filter(Q(to=number) | Q(from_number=number))
        .select_related("user")
        .order_by("created_at", "id")
    )


def people_with_number(number: str):
    """The accounts that claim `number`: at most one verified, any number unverified."""
    return get_user_model().objects.filter(phone_number=number).order_by("-phone_verified", "pk")
