"""A unit's own page, requests about its * items, the office's queue and reminders."""

from django.urls import path

from assessment.notify import views as notify_views
from assessment.requests import views

app_name = "units"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/marks/<int:mark_id>/request/", views.request_new, name="request_new"),
    path("<int:pk>/contacts/", notify_views.unit_contacts, name="contacts"),
    path("requests/", views.queue, name="requests"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/return/", views.request_return, name="request_return"),
    path("requests/<int:pk>/attachment/", views.request_attachment, name="request_attachment"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/log/", notify_views.delivery_log, name="reminder_log"),
    path("follow/", notify_views.follow_toggle, name="follow"),
    path("unfollow/<str:token>/", notify_views.unfollow_link, name="unfollow"),
]
