from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/conversation", views.conversation, name="conversation"),
]
