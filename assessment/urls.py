"""/assessment/: the entry grid, the Excel export and import, the scores, each app's URLs in its namespace.

No two of these claim one URL (the grid's category never takes another page's word: CategoryConverter in
assessment/marks/urls.py), so their order here decides nothing.
"""

from django.urls import include, path

from assessment.scoring import urls as score_urls

urlpatterns = [
    path("", include("assessment.marks.urls")),
    path("", include("assessment.imports.urls")),
    path("scores/", include(score_urls.latest_urlpatterns)),
    path("<int:year>/scores/", include("assessment.scoring.urls")),
]
