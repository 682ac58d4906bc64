"""
WSGI config for kunshan_credit project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_credit.settings")

application = get_wsgi_application()

# What start-up made (modules, the app registry, settings) lives as long as the worker: out of the garbage
# collector's full passes, which otherwise walk it all again, a pause that grows with the process.
gc.freeze()
