from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/<slug:action>/", views.unit_action, name="unit_action"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<int:year>/<slug:category>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:year>/<slug:category>/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/move/", views.indicator_move, name="indicator_move"),
    path("indicators/<int:pk>/remove/", views.indicator_remove, name="indicator_remove"),
]
