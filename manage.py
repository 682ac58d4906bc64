#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_credit.settings")
    if sys.argv[1:2] == ["benchmark"] and not os.environ.get("DJANGO_SECRET_KEY"):
        # The benchmark works in a scratch database of its own and signs nothing that outlives it: a throwaway
        # key lets the README's command run as written, without the deployment's environment.
        os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
