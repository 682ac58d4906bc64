"""The WSGI application the benchmark's gunicorn serves: the portal with the baselines mounted."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_credit.settings")
application = get_wsgi_application()

from kunshan_credit.bench import configure  # noqa: E402  (settings must be loaded first)

configure()
gc.freeze()  # as kunshan_credit/wsgi.py does for the portal's own workers
