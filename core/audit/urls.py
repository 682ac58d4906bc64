from django.urls import path

from core.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
