from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="new"),
    path("review/", views.review, name="review"),
    path("case/<int:pk>/", views.case_detail, name="detail"),
    path("case/<int:pk>/edit/", views.case_edit, name="edit"),
    path("case/<int:pk>/submit/", views.case_submit, name="submit"),
    path("case/<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("case/<int:pk>/accept/", views.case_accept, name="accept"),
    path("case/<int:pk>/return/", views.case_return, name="return"),
    path("case/<int:pk>/bulletin/", views.case_bulletin, name="bulletin"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("counts/", views.count_records, name="counts"),
    path("counts/<int:pk>/delete/", views.count_record_delete, name="count_delete"),
    path("<int:year>/", views.quarterly, name="quarterly"),
    path("<int:year>/quarterly.xlsx", views.quarterly_xlsx, name="quarterly_xlsx"),
]
