from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>", views.phone_tree, name="phone_tree"),
]
