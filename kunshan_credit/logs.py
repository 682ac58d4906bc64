"""The portal's logging (settings.LOGGING): one line per record, to stderr for journald or to a rotated file.

- Without DJANGO_LOG_FILE (systemd: the units' output goes to the journal): every record on stderr as
  `LEVEL logger: message`; journald adds the time, the unit and the process.
- With DJANGO_LOG_FILE: to that file (and not to stderr) as `time LEVEL logger [pid]: message`, through a
  WatchedFileHandler, which reopens the file when logrotate has moved it (deploy/logrotate: no copytruncate,
  no restart). The cron jobs' output (deploy/cron, `>>…/cron.log`) is rotated by the same file.

A record is always one line: the newlines of a message or a traceback are written as `\\n`, so that journald
keeps a traceback as one entry and `grep` finds it whole.

Imported by the settings: nothing of Django's here.
"""

import logging

CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"


class OneLineFormatter(logging.Formatter):
    """The record, its traceback included, on one line (newlines written as `\\n`)."""

    def format(self, record):
        return super().format(record).replace("\r\n", "\n").replace("\n", "\\n")


def config(level, log_file=""):
    """settings.LOGGING: the root to stderr, or to `log_file` when given; request errors also reported."""
    if log_file:
        output = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(log_file),
            "encoding": "utf-8",
            "formatter": "file",
        }
    else:
        output = {"class": "logging.StreamHandler", "formatter": "console"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "console": {"()": OneLineFormatter, "format": CONSOLE_FORMAT},
            "file": {"()": OneLineFormatter, "format": FILE_FORMAT},
        },
        "handlers": {
            "output": output,
            # A request's unhandled exception: e-mail and robot message to the administrators, rate-limited.
            "server_errors": {"()": "kunshan_credit.server_errors.ServerErrorHandler"},
        },
        "root": {"handlers": ["output"], "level": level},
        "loggers": {
            # django-axes logs every login at INFO; failures and lockouts are warnings.
            "axes": {"level": "WARNING"},
            # Instead of Django's own handlers (its English mail to ADMINS among them): to the root's, and reported.
            "django": {"handlers": [], "propagate": True},
            "django.request": {"handlers": ["server_errors"], "propagate": True},
            # runserver's request lines, as the rest.
            "django.server": {"handlers": [], "propagate": True},
        },
    }
