from django.urls import path

from . import views

app_name = "bulletins"
urlpatterns = [
    path("<int:year>/<int:number>/", views.issue_detail, name="issue"),
    path("<int:year>/<int:number>/progress.xlsx", views.progress_xlsx, name="progress_xlsx"),
]
