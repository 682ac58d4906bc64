"""The bulletin's pages: `reading` (an issue, its versions and downloads, the archive), `compose` (the
office's composer) and `overview` (the leaders' overview of a year)."""
