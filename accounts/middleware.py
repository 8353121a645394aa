from django.utils import translation

from .languages import language_of


def person_language(get_response):
    """A logged-in person reads every page in their own language, whatever the browser says.

    After AuthenticationMiddleware; LocaleMiddleware has already chosen a visitor's.
    """

    def middleware(request):
        if request.user.is_authenticated:
            language = language_of(request.user)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return get_response(request)

    return middleware
