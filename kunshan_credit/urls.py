from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bulletins import views as bulletin_views

admin.site.site_header = "昆山市信用体系建设管理"
admin.site.site_title = "昆山信用"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", bulletin_views.latest, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("bulletins/", include("bulletins.urls")),
    path("overview/", include("bulletins.overview_urls")),
    path("admin/", admin.site.urls),
]
