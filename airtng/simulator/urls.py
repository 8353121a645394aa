from django.urls import path

from . import views

urlpatterns = [
    path("", views.phone, name="simulator"),
    path("messages", views.messages, name="simulator_messages"),
    path("sign", views.sign, name="simulator_sign"),
]
