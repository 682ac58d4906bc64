"""The portal's URLs plus the benchmark's baselines (only the benchmark's own processes use this)."""

from django.urls import path

from kunshan_credit.urls import urlpatterns as portal

from . import baselines

urlpatterns = [
    path("__bench__/<int:year>/<int:number>/table/", baselines.bare_table),
    path("__bench__/<int:year>/<int:number>/cells.xlsx", baselines.bare_xlsx),
    path("__bench__/<int:year>/<int:number>/progress.xlsx", baselines.made_xlsx),
    path("__bench__/trivial/", baselines.trivial),
    *portal,
]
