from django.urls import path

from . import views

urlpatterns = [
    path("", views.phone, name="simulator"),
    path("messages", views.messages, name="simulator_messages"),
    path("calls", views.calls, name="simulator_calls"),
    path("sign", views.sign, name="simulator_sign"),
    path("sms/send", views.sms_send, name="simulator_sms_send"),
    path("sms/status", views.sms_status, name="simulator_sms_status"),
    path("call/start", views.call_start, name="simulator_call_start"),
    path("call/answer", views.call_answer, name="simulator_call_answer"),
    path("call/refuse", views.call_refuse, name="simulator_call_refuse"),
    path("call/<str:call_id>/<str:move>", views.call_move, name="simulator_call_move"),
]
