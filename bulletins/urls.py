from django.urls import path

from .feeds import IssueFeed
from .views import compose, overview, reading

app_name = "bulletins"
urlpatterns = [
    path("", reading.archive, name="archive"),
    path("feed/", IssueFeed(), name="feed"),
    path("new/", compose.issue_new, name="new"),
    path("<int:year>/<int:number>/", reading.issue_detail, name="issue"),
    path("<int:year>/<int:number>/v<int:version>/", reading.issue_version, name="issue_version"),
    path(
        "<int:year>/<int:number>/v<int:version>/tables/<slug:slug>/<int:page>/",
        reading.issue_table,
        name="issue_table",
    ),
    path("<int:year>/<int:number>/progress.xlsx", reading.progress_xlsx, name="progress_xlsx"),
    path("<int:year>/<int:number>/issue.pdf", reading.issue_pdf, name="issue_pdf"),
    path("<int:year>/<int:number>/issue.docx", reading.issue_docx, name="issue_docx"),
    path("<int:year>/<int:number>/v<int:version>/progress.xlsx", reading.progress_xlsx, name="version_xlsx"),
    path("<int:year>/<int:number>/v<int:version>/issue.pdf", reading.issue_pdf, name="version_pdf"),
    path("<int:year>/<int:number>/v<int:version>/issue.docx", reading.issue_docx, name="version_docx"),
    path("<int:year>/<int:number>/documents/", compose.issue_documents, name="documents"),
    path("<int:year>/<int:number>/edit/", compose.issue_edit, name="edit"),
    path("<int:year>/<int:number>/preview/", compose.issue_preview, name="preview"),
    path("<int:year>/<int:number>/publish/", compose.issue_publish, name="publish"),
    path("<int:year>/<int:number>/delete/", compose.issue_delete, name="delete"),
    path("<int:year>/<int:number>/sections/<str:kind>/add/", compose.section_add, name="section_add"),
    path("<int:year>/<int:number>/sections/<str:kind>/<int:pk>/", compose.section_update, name="section_update"),
    path("<int:year>/<int:number>/sections/<str:kind>/<int:pk>/move/", compose.section_move, name="section_move"),
    path(
        "<int:year>/<int:number>/sections/<str:kind>/<int:pk>/remove/",
        compose.section_remove,
        name="section_remove",
    ),
]

# /overview/ → the leaders' overview, in its own namespace.
overview_urlpatterns = (
    [
        path("", overview.overview_index, name="index"),
        path("<int:year>/", overview.overview_year, name="year"),
    ],
    "overview",
)
