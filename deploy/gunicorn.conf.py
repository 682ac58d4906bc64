"""gunicorn settings for one app-server instance (deploy/systemd/kunshan_credit@.service starts two).

The bind address comes from the command line (--bind 127.0.0.1:%i in the unit); everything else
can be tuned through the environment file without editing this file.
"""

import multiprocessing
import os

wsgi_app = "kunshan_credit.wsgi:application"
# Sync workers: the app's requests are short database work; a PDF of a published issue is made once.
workers = int(os.environ.get("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Long enough for the first PDF of a large issue; nginx waits 180 s (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 170))
graceful_timeout = 30
# A worker that rendered a large PDF keeps its memory: recycle workers now and then.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Only nginx on this machine talks to gunicorn; it sets X-Forwarded-For/-Proto.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "kunshan_credit"
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): two instances would
# fight over it. systemd's signals (reload: HUP, stop: TERM) are all the units use.
control_socket_disable = True
