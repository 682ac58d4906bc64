from django.urls import path

from .views import enrolment, notes, schemes, units

app_name = "directory"

urlpatterns = [
    path("units/", units.unit_list, name="units"),
    path("units/new/", units.unit_new, name="unit_new"),
    path("units/<int:pk>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<int:pk>/<slug:action>/", units.unit_action, name="unit_action"),
    path("schemes/", schemes.scheme_list, name="schemes"),
    path("schemes/<int:year>/<slug:category>/", schemes.scheme_detail, name="scheme"),
    path("schemes/<int:year>/<slug:category>/new/", schemes.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/edit/", schemes.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/move/", schemes.indicator_move, name="indicator_move"),
    path("indicators/<int:pk>/remove/", schemes.indicator_remove, name="indicator_remove"),
    path("schemes/<int:year>/<slug:category>/notes/new/", notes.note_new, name="note_new"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<int:pk>/move/", notes.note_move, name="note_move"),
    path("notes/<int:pk>/remove/", notes.note_remove, name="note_remove"),
    path("schemes/<int:year>/<slug:category>/join/", enrolment.scheme_unit_join, name="scheme_unit_join"),
    path("scheme-units/<int:pk>/move/", enrolment.scheme_unit_move, name="scheme_unit_move"),
    path("scheme-units/<int:pk>/remove/", enrolment.scheme_unit_remove, name="scheme_unit_remove"),
]
