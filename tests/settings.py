"""Test settings: the real settings module, fed a test environment, plus speed-ups."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The API's throttles stay out of the way of the suite; tests/test_api_errors.py lowers them.
os.environ.setdefault("DJANGO_API_ANON_RATE", "100000/min")
os.environ.setdefault("DJANGO_API_TOKEN_RATE", "100000/min")
# Backups of the test run are signed with a key of the tests and go to a directory of their own.
os.environ.setdefault("DJANGO_BACKUP_KEY", "tests-only-backup-key")
os.environ.setdefault("DJANGO_BACKUP_DIR", tempfile.mkdtemp(prefix="kc-test-backups-"))

from kunshan_credit.settings import *  # noqa: E402,F403

# No collectstatic before tests: plain storage instead of the manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files straight from the finders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Stored issue files (bulletins.documents) of the test run go to a directory of their own, never the checkout's media/.
# Except in the processes of a benchmark run by a test (KC_BENCH_SCRATCH, set by manage.py benchmark for its
# child): they share the media directory it made in its scratch, as they share its scratch database, so that
# the PDF its render_documents process stores is the one its downloads read.
# A server process a test starts (tests/test_upload_killed.py) is given its own with KC_TEST_MEDIA_ROOT.
if os.environ.get("KC_BENCH_SCRATCH") and os.environ.get("DJANGO_MEDIA_ROOT"):
    MEDIA_ROOT = Path(os.environ["DJANGO_MEDIA_ROOT"])
elif os.environ.get("KC_TEST_MEDIA_ROOT"):
    MEDIA_ROOT = Path(os.environ["KC_TEST_MEDIA_ROOT"])
else:
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kc-test-media-"))  # noqa: F405
