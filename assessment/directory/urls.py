from django.urls import path

from . import enrolment_views, note_views, views

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
    path("schemes/<int:year>/<slug:category>/notes/new/", note_views.note_new, name="note_new"),
    path("notes/<int:pk>/edit/", note_views.note_edit, name="note_edit"),
    path("notes/<int:pk>/move/", note_views.note_move, name="note_move"),
    path("notes/<int:pk>/remove/", note_views.note_remove, name="note_remove"),
    path("schemes/<int:year>/<slug:category>/join/", enrolment_views.scheme_unit_join, name="scheme_unit_join"),
    path("scheme-units/<int:pk>/move/", enrolment_views.scheme_unit_move, name="scheme_unit_move"),
    path("scheme-units/<int:pk>/remove/", enrolment_views.scheme_unit_remove, name="scheme_unit_remove"),
]
