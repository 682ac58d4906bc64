"""/api/v1/: one router for every app's API, the OpenAPI schema and its Chinese docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from assessment.api.marks import MarkViewSet
from assessment.api.schemes import CategoryViewSet, SchemeViewSet, UnitViewSet
from assessment.api.scores import ScoreViewSet
from bulletins.api import IssueViewSet
from cases.api import CaseViewSet
from core.api import docs as api_docs

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
    path("docs/", api_docs.docs, name="docs"),
]
