"""`manage.py benchmark`: a scratch database at city or province scale, pages timed against baselines.

data.py builds the data, baselines.py holds the comparison views (mounted by urls.py next to the
portal's own URLs), measure.py times the pages and prints the table, wsgi.py serves the same
URLs under gunicorn for the requests-per-second rows.
"""

from django.test.utils import override_settings


def configure():
    """The portal's URLs plus the baselines; static files from the finders (no collectstatic needed)."""
    from django.conf import settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    override_settings(ROOT_URLCONF="kunshan_credit.bench.urls", STORAGES=storages).enable()
