from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessment.scoring import urls as score_urls
from bulletins import views as bulletin_views
from core.office import views as office_views
from core.security import views as security_views

# The admin site is the portal's (core.security.apps.AdminConfig): login, second factor, the office's header.
handler400 = "core.security.views.bad_request"

urlpatterns = [
    path("", bulletin_views.latest, name="home"),
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
    # Scores first: "scores" would otherwise match another assessment/<year>/<slug>/ pattern.
    path("assessment/scores/", include(score_urls.latest_urlpatterns)),
    path("assessment/<int:year>/scores/", include("assessment.scoring.urls")),
    path("bulletins/", include("bulletins.urls")),
    # Excel import/export (before the entry grid's assessment/ URLs: "import" is not a category).
    path("assessment/", include("assessment.imports.urls")),
    path("assessment/", include("assessment.marks.urls")),
    path("api/v1/", include("kunshan_credit.api_urls")),
    path("api/tokens/", include("core.api.token_urls")),
    path("units/", include("assessment.requests.urls")),
    path("cases/", include("cases.urls")),
    path("overview/", include("bulletins.overview_urls")),
    path("office/", office_views.edit, name="office"),
    path("office/", include("assessment.directory.urls")),
    path("audit/", include("core.audit.urls")),
    path("admin/", admin.site.urls),
]
