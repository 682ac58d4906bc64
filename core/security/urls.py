from django.urls import path

from core.security import views

app_name = "security"

urlpatterns = [
    path("otp/", views.verify, name="otp_verify"),
    path("otp/enrol/", views.enrol, name="otp_enrol"),
    path("otp/backup-codes/", views.backup_codes, name="backup_codes"),
]
