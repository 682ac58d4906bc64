"""Scores URLs, included by assessment/urls.py at /assessment/<int:year>/scores/."""

from django.urls import path

from assessment.scoring import views

app_name = "scores"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("<int:unit_id>/", views.unit_detail, name="unit"),
    path("deductions/", views.deductions, name="deductions"),
    path("deductions/new/", views.deduction_new, name="deduction_new"),
    path("deductions/<int:pk>/confirm/", views.deduction_confirm, name="deduction_confirm"),
    path("deductions/<int:pk>/delete/", views.deduction_delete, name="deduction_delete"),
    path("close/", views.close, name="close"),
    path("reopen/", views.reopen, name="reopen"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:version>/", views.version_detail, name="version"),
    path("versions/<int:version>/ranking.xlsx", views.version_xlsx, name="version_xlsx"),
]

# /assessment/scores/ → the latest year's scores (the nav link 得分), in its own namespace.
latest_urlpatterns = ([path("", views.latest, name="latest")], "scores_latest")
