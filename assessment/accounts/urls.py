from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.reporter_new, name="reporter_new"),
    path("<int:pk>/<slug:action>/", views.account_action, name="action"),
    path("addresses/<str:address>/unlock/", views.address_unlock, name="address_unlock"),
]
