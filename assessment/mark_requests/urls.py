"""A unit's own page, requests about its * items, the office's queue and reminders."""

from django.urls import path

from assessment.mark_requests.views import mark_requests, reminders, unit_pages
from assessment.notify import receipt_views
from assessment.notify import views as notify_views

app_name = "units"
urlpatterns = [
    path("", unit_pages.index, name="index"),
    path("<int:pk>/", unit_pages.detail, name="detail"),
    path("<int:pk>/marks/<int:mark_id>/request/", mark_requests.request_new, name="request_new"),
    path("<int:pk>/contacts/", notify_views.unit_contacts, name="contacts"),
    path("requests/", mark_requests.queue, name="requests"),
    path("requests/review/", mark_requests.request_review, name="request_review"),
    path("requests/<int:pk>/accept/", mark_requests.request_accept, name="request_accept"),
    path("requests/<int:pk>/return/", mark_requests.request_return, name="request_return"),
    path("requests/<int:pk>/attachment/", mark_requests.request_attachment, name="request_attachment"),
    path("reminders/", reminders.reminders, name="reminders"),
    path("reminders/log/", notify_views.delivery_log, name="reminder_log"),
    path("<int:pk>/remind/", receipt_views.urge_unit, name="urge"),
    path("reminders/sent/", receipt_views.sent_reminders, name="reminders_sent"),
    path("reminders/sent/<int:pk>/", receipt_views.reminder_receipts, name="reminder_receipts"),
    path("receipts/<str:token>/", receipt_views.receipt_link, name="receipt"),
    path("notices/", receipt_views.notice_settings, name="notice_settings"),
    path("notices/robot/", notify_views.office_robot, name="office_robot"),
    path("follow/", notify_views.follow_toggle, name="follow"),
    path("unfollow/<str:token>/", notify_views.unfollow_link, name="unfollow"),
]
