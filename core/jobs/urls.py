from django.urls import path

from core.jobs import views

app_name = "system"

urlpatterns = [path("jobs/", views.job_list, name="jobs")]
