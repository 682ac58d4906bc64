from django.urls import path

from core.api import tokens as token_views

app_name = "api_tokens"
urlpatterns = [
    path("", token_views.token_list, name="list"),
    path("<int:user_id>/create/", token_views.token_create, name="create"),
    path("<int:user_id>/revoke/", token_views.token_revoke, name="revoke"),
    path("mine/revoke/", token_views.own_token_revoke, name="revoke_own"),
]
