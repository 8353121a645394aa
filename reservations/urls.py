from django.urls import include, path

from . import views

urlpatterns = [
    path("request/<int:property_pk>/", views.request_stay, name="request_stay"),
    path("incoming", views.incoming_sms, name="incoming_sms"),
    path("trips/", views.my_trips, name="my_trips"),
    path("trips/<int:pk>/", views.trip, name="trip"),
    path("requests/", views.host_requests, name="host_requests"),
    path("requests/<int:pk>/", views.host_request, name="host_request"),
    path("<int:pk>/accept/", views.decide, {"accepted": True}, name="accept_reservation"),
    path("<int:pk>/reject/", views.decide, {"accepted": False}, name="reject_reservation"),
    path("<int:pk>/cancel/", views.cancel, name="cancel_reservation"),
    path("", include("reservations.conversations.urls")),
]
