"""/favicon.ico: browsers ask for it on every page, and pages outside base.html (the PDF viewer, a file
download) have no <link rel="icon">. The icon is static/favicon.ico, under its hashed name once collected."""

from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    return redirect(static("favicon.ico"))
