from django.urls import path

from . import compose_views, views
from .feeds import IssueFeed

app_name = "bulletins"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("feed/", IssueFeed(), name="feed"),
    path("new/", compose_views.issue_new, name="new"),
    path("<int:year>/<int:number>/", views.issue_detail, name="issue"),
    path("<int:year>/<int:number>/v<int:version>/", views.issue_version, name="issue_version"),
    path("<int:year>/<int:number>/progress.xlsx", views.progress_xlsx, name="progress_xlsx"),
    path("<int:year>/<int:number>/issue.pdf", views.issue_pdf, name="issue_pdf"),
    path("<int:year>/<int:number>/issue.docx", views.issue_docx, name="issue_docx"),
    path("<int:year>/<int:number>/v<int:version>/progress.xlsx", views.progress_xlsx, name="version_xlsx"),
    path("<int:year>/<int:number>/v<int:version>/issue.pdf", views.issue_pdf, name="version_pdf"),
    path("<int:year>/<int:number>/v<int:version>/issue.docx", views.issue_docx, name="version_docx"),
    path("<int:year>/<int:number>/documents/", compose_views.issue_documents, name="documents"),
    path("<int:year>/<int:number>/edit/", compose_views.issue_edit, name="edit"),
    path("<int:year>/<int:number>/preview/", compose_views.issue_preview, name="preview"),
    path("<int:year>/<int:number>/publish/", compose_views.issue_publish, name="publish"),
    path("<int:year>/<int:number>/delete/", compose_views.issue_delete, name="delete"),
    path("<int:year>/<int:number>/sections/<str:kind>/add/", compose_views.section_add, name="section_add"),
    path("<int:year>/<int:number>/sections/<str:kind>/<int:pk>/", compose_views.section_update, name="section_update"),
    path("<int:year>/<int:number>/sections/<str:kind>/<int:pk>/move/", compose_views.section_move, name="section_move"),
    path(
        "<int:year>/<int:number>/sections/<str:kind>/<int:pk>/remove/",
        compose_views.section_remove,
        name="section_remove",
    ),
]
