"""The views of the units' pages, one module a feature: a unit's page (`unit_pages`), its requests and the
office's queue (`mark_requests`), the reminders (`reminders`). The URLs are in `assessment.mark_requests.urls`."""
