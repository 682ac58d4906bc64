"""Excel export and import of marks, schemes and units (市信用办 only).

Included by assessment/urls.py at /assessment/, beside the entry grid's URLs (whose category never reads
`import`: CategoryConverter in assessment/marks/urls.py).
"""

from django.urls import path

from assessment.imports import views

app_name = "imports"
urlpatterns = [
    path("import/", views.index, name="index"),
    path("units.xlsx", views.units_xlsx, name="units_xlsx"),
    path("import/units/", views.upload, {"kind": "units"}, name="units"),
    path("import/<uuid:token>/", views.preview, name="preview"),
    path("import/<uuid:token>/confirm/", views.confirm, name="confirm"),
    path("<int:year>/progress.xlsx", views.progress_xlsx, name="progress_xlsx"),
    path("<int:year>/schemes.xlsx", views.schemes_xlsx, name="schemes_xlsx"),
    path("<int:year>/import/", views.upload, {"kind": "marks"}, name="marks"),
    path("<int:year>/import/schemes/", views.upload, {"kind": "schemes"}, name="schemes"),
]
