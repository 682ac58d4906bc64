"""/office/units/ and /office/schemes/: the office's own pages for units and each year's tables.

`units` (the units), `schemes` (a year's tables and their indicators; the scheme page also lists the table's
notes and units), `notes` and `enrolment` (the changes to those two lists).

Every page is the office's (leaders: 403, reporters and others: 404, see assessment.access); each change
goes through a service of this package, each removal through a confirmation page; links of the rows are
built from one reversed URL per kind (no {% url %} per row).
"""

from django.urls import reverse

from assessment import access

office_only = access.manage_required


def row_link(name, *args):
    """A format string for one kind of row link: reversed once with 0 for the id, then filled per row."""
    return reverse(name, args=[*args, 0]).replace("/0/", "/{}/")
