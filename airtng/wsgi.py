import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "airtng.settings")
django_application = get_wsgi_application()

# After Django is set up: they import models.
from airtng.webhooks_first import answer_webhooks_first  # noqa: E402
from ivr.webhooks_first import answerer_for  # noqa: E402

application = answer_webhooks_first(django_application, answerer_for)
