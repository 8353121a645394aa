from django.urls import path

from .views import moves, page

urlpatterns = [
    path("", page.phone, name="simulator"),
    path("messages", page.messages, name="simulator_messages"),
    path("calls", page.calls, name="simulator_calls"),
    path("sms/send", moves.sms_send, name="simulator_sms_send"),
    path("sms/status", moves.sms_status, name="simulator_sms_status"),
    path("call/start", moves.call_start, name="simulator_call_start"),
    path("call/answer", moves.call_answer, name="simulator_call_answer"),
    path("call/refuse", moves.call_refuse, name="simulator_call_refuse"),
    path("call/<str:call_id>/<str:move>", moves.call_move, name="simulator_call_move"),
]
