"""/api/v1/: one router for every app's API, the OpenAPI schema and its docs (served from our static files)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from assessment import access
from assessment.api import CategoryViewSet, MarkViewSet, SchemeViewSet, ScoreViewSet, UnitViewSet
from bulletins.api import IssueViewSet
from cases.api import CaseViewSet

app_name = "api"

router = SimpleRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("units", UnitViewSet, basename="unit")
router.register("schemes", SchemeViewSet, basename="scheme")
router.register("marks", MarkViewSet, basename="mark")
router.register("cases", CaseViewSet, basename="case")
router.register("issues", IssueViewSet, basename="issue")
router.register("scores", ScoreViewSet, basename="score")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (?script), so the page needs no inline script.
    path(
        "docs/",
        access.require()(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")
        ),
        name="docs",
    ),
]
