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
# Long enough for a large draft's PDF (the office's preview download, made in the request); nginx waits 180 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 170))
graceful_timeout = 30
# Workers are not recycled by count (issue 22), only by memory. Recycling every 2000±200 requests was for a worker
# that had rendered a large PDF; no request makes the PDF or the Word file any more (render_documents does), and
# each recycle restarted a worker (imports, first requests) while readers queued. `manage.py benchmark`, the page
# through nginx (without its page cache) → gunicorn (2 workers) at 200 connections, wrk --latency, 2 CPUs at load
# average 10–13 (2026-12-06), p50 / p99 (p99 ÷ p50):
#   city:     max_requests 2000±200  218 ms / 5,830 ms (26.7×), 431 req/s;  off  237 ms / 1,270 ms (5.4×), 587 req/s
#   province: max_requests 2000±200  781 ms / 2,130 ms (2.7×),  228 req/s;  off  794 ms / 1,960 ms (2.5×), 241 req/s
# Readers of a published page are answered by nginx's page cache: city 18 ms / 109 ms at 200 connections.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# The memory bound instead: a worker whose resident memory has grown past this many MB ends after the request it
# answered and gunicorn starts a fresh one (as max_requests does, but only when needed: a draft's PDF, typeset in a
# child process of its own, is the largest thing a request still makes); 0: no bound.
max_worker_mb = int(os.environ.get("GUNICORN_MAX_WORKER_MB", 512))
# Only nginx on this machine talks to gunicorn; it sets X-Forwarded-For/-Proto.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "kunshan_credit"
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): two instances would
# fight over it. systemd's signals (reload: HUP, stop: TERM) are all the units use.
control_socket_disable = True


def worker_rss_mb():
    """This process's resident memory now, in MB (Linux: /proc; elsewhere its peak)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def post_request(worker, req, environ, resp):
    if max_worker_mb and worker_rss_mb() > max_worker_mb:
        worker.log.warning("worker %s: %.0f MB > %s MB, recycled", worker.pid, worker_rss_mb(), max_worker_mb)
        worker.alive = False
