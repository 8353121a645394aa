"""Browser sessions that name their signed-in account, so that both are read in one query.

Django's database sessions keep the user's id inside the encoded data, so a signed-in request
reads the session and then the user. Our session rows also carry the user as a column (the
pattern of Django's "extending database-backed session engines"), and the row is read with its
user joined. Nothing is kept between requests: every request reads both afresh, logging out
deletes the row, and Django's check of the password hash runs on the user read, as before.
"""

import logging
from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

# Only for the length of one auth.get_user() call (see signed_in_user).
_read_with_session: ContextVar = ContextVar("user_read_with_session", default=None)


class SessionStore(DatabaseSessionStore):
    _user = None

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def _get_session_from_db(self):
        # Django's, with the user joined.
        self._user = None
        try:
            session = self.model.objects.select_related("user").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            if isinstance(error, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
                logger.warning(str(error))
            self._session_key = None
            return None
        self._user = session.user
        return session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = data.get(auth.SESSION_KEY)
        return session

    @property
    def user_read_with_it(self):
        """The account the session's row named when it was read, if any."""
        self._get_session()  # reads the row, once
        return self._user


class UserBackend(ModelBackend):
    """ModelBackend, given the user that was read with the session instead of reading it again."""

    def get_user(self, user_id):
        user = _read_with_session.get()
        if user is None or str(user.pk) != str(user_id):
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None


def signed_in_user(request):
    """auth.get_user(request), with its checks, on the user read with the session."""
    if not hasattr(request, "_cached_user"):
        session = request.session
        user = session.user_read_with_it if isinstance(session, SessionStore) else None
        token = _read_with_session.set(user)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _read_with_session.reset(token)
    return request._cached_user


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with request.user from signed_in_user()."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: signed_in_user(request))
