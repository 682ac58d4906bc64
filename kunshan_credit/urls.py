from django.contrib import admin
from django.urls import include, path

from bulletins import views as bulletin_views

admin.site.site_header = "昆山市信用体系建设管理"
admin.site.site_title = "昆山信用"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", bulletin_views.latest, name="home"),
    path("bulletins/", include("bulletins.urls")),
    path("admin/", admin.site.urls),
]
