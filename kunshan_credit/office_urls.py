"""/office/: the office's own row (本办信息, core/office) and the directory it keeps (units, schemes, notes)."""

from django.urls import include, path

from core.office import views as office_views

urlpatterns = [
    path("", office_views.edit, name="office"),
    path("", include("assessment.directory.urls")),
]
