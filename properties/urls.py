from django.urls import path

from . import photo_views, views

urlpatterns = [
    path("new/", views.property_create, name="property_create"),
    path("mine/", views.my_listings, name="my_listings"),
    path("<int:pk>/", views.property_detail, name="property_detail"),
    path("<int:pk>/calendar/", views.host_calendar, name="host_calendar"),
    path("<int:pk>/edit/", views.property_edit, name="property_edit"),
    path("<int:pk>/delete/", views.property_delete, name="property_delete"),
    path("<int:pk>/withdraw/", views.property_withdraw, name="property_withdraw"),
    path("<int:pk>/photos/", photo_views.photo_add, name="photo_add"),
    path("<int:pk>/photos/<int:photo_pk>/move/", photo_views.photo_move, name="photo_move"),
    path("<int:pk>/photos/<int:photo_pk>/delete/", photo_views.photo_delete, name="photo_delete"),
]
