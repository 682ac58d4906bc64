from django.urls import path

from assessment.marks import due_views, views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("marks/<int:pk>/", views.mark_save, name="mark"),
    path("marks/<int:pk>/history/", views.mark_history, name="mark_history"),
    path("marks/<int:pk>/due/", due_views.due_override, name="due_override"),
    path("batches/<int:pk>/undo/", views.batch_undo, name="batch_undo"),
    path("<int:year>/", views.year_overview, name="year"),
    # Before the category pattern: "new-year" would also match a slug.
    path("<int:year>/new-year/", views.new_year, name="new_year"),
    path("<int:year>/<slug:category>/", views.grid, name="grid"),
    path("<int:year>/<slug:category>/bulk/", views.bulk, name="bulk"),
]
