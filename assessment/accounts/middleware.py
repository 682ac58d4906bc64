"""A temporary password is changed before anything else: the owner sees only the password page until then."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .models import AccountProfile

SESSION_KEY = "kc_must_change_password"
MESSAGE = "您的密码是市信用办设置的临时密码，请先设置自己的新密码。"


def note_forced_change(sender, request, user, **kwargs):
    """At login: does this account still carry a temporary password?"""
    if not hasattr(request, "session"):
        return
    if AccountProfile.objects.filter(user=user, must_change_password=True).exists():
        request.session[SESSION_KEY] = True


class ForcedPasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(request, "session", None) or not request.session.get(SESSION_KEY):
            return self.get_response(request)
        change = reverse("password_change")
        allowed = (change, reverse("password_change_done"), reverse("logout"))
        if request.path_info not in allowed and not request.path_info.startswith(settings.STATIC_URL):
            messages.warning(request, MESSAGE)
            return redirect(change)
        response = self.get_response(request)
        if request.path_info == change and request.method == "POST" and response.status_code == 302:
            # The password form accepted a new password: the temporary one is gone.
            AccountProfile.objects.filter(user=request.user).update(must_change_password=False)
            request.session.pop(SESSION_KEY, None)
        return response
