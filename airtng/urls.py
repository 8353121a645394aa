from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from properties.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("properties/", include("properties.urls")),
    path("reservations/", include("reservations.urls")),
    path("admin/", admin.site.urls),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
