"""A unit's own page and its requests (report done, explain), the request queue."""
