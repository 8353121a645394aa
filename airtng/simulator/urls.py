from django.urls import path

from . import views

urlpatterns = [
    path("", views.phone, name="simulator"),
    path("messages", views.messages, name="simulator_messages"),
    path("calls", views.calls, name="simulator_calls"),
    path("sign", views.sign, name="simulator_sign"),
]
