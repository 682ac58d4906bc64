"""The portal's URLs plus the benchmark's baselines (only the benchmark's own processes use this)."""

from django.urls import path

from kunshan_credit.urls import urlpatterns as portal

from . import baselines

urlpatterns = [
    path("__bench__/<int:year>/<int:number>/table/", baselines.bare_table),
    path("__bench__/<int:year>/<int:number>/cells.xlsx", baselines.bare_xlsx),
    path("__bench__/<int:year>/<int:number>/progress.xlsx", baselines.made_xlsx),
    path("__bench__/trivial/", baselines.trivial),
    # The pages' own baselines (baselines.py), same paths as the pages under /__bench__/.
    path("__bench__/assessment/<int:year>/", baselines.year_page),
    path("__bench__/assessment/<int:year>/scores/", baselines.scores_page),
    path("__bench__/assessment/<int:year>/<slug:category>/", baselines.grid_page),
    path("__bench__/units/<int:year>/", baselines.units_page),
    path("__bench__/overview/<int:year>/", baselines.overview_page),
    path("__bench__/cases/<int:year>/", baselines.quarterly_page),
    path("__bench__/cases/", baselines.cases_page),
    *portal,
]
