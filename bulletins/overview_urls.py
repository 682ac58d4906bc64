from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("", views.overview_index, name="index"),
    path("<int:year>/", views.overview_year, name="year"),
]
