from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessment.notify import views as notify_views
from assessment.todo import views as todo_views
from bulletins import urls as bulletin_urls
from bulletins.views import reading as bulletin_reading
from core import favicon, health
from core.security import views as security_views

# The admin site is the portal's (core.security.apps.AdminConfig): login, second factor, the office's header.
# Under /api/ a request refused before any view and a path no route matches are the API's JSON 400 and 404
# (core/api/http.py); elsewhere the portal's pages.
handler400 = "core.api.http.bad_request"
handler404 = "core.api.http.not_found"

urlpatterns = [
    path("", bulletin_reading.latest, name="home"),
    # The first page after login: what is waiting for the signed-in user (assessment.todo).
    path("todo/", todo_views.todo, name="todo"),
    path("todo/seen/<int:pk>/", notify_views.todo_seen, name="todo_seen"),
    # For nginx and monitors: no data, no session, no login (core.health).
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/manage/", include("assessment.accounts.urls")),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("core.security.urls")),
    path("assessment/", include("assessment.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("api/v1/", include("kunshan_credit.api_urls")),
    path("api/tokens/", include("core.api.token_urls")),
    path("units/", include("assessment.mark_requests.urls")),
    path("cases/", include("cases.urls")),
    path("overview/", include(bulletin_urls.overview_urlpatterns)),
    path("office/", include("kunshan_credit.office_urls")),
    path("audit/", include("core.audit.urls")),
    path("system/", include("core.jobs.urls")),
    path("admin/", admin.site.urls),
]
