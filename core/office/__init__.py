"""The office that runs this portal: its one row (`models`) and the page where the office edits it (`views`)."""
