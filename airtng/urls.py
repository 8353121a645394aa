from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language
from airtng.messaging.views import sms_status
from airtng.views import media
from ivr import views as ivr_views
from properties.views import home
from reservations.views import decision_link

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("properties/", include("properties.urls")),
    path("reservations/", include("reservations.urls")),
    path("sms/status", sms_status, name="sms_status"),
    path("voice", ivr_views.voice, name="voice"),
    path("voice/decision", ivr_views.voice_decision, name="voice_decision"),
    path("voice/status", ivr_views.voice_status, name="voice_status"),
    path("d/<str:token>", decision_link, name="decision_link"),
    path("ivr/", include("ivr.urls")),
    path("phone/", include("airtng.simulator.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", media, name="media"),
]
