"""The entry grid's URLs, included by assessment/urls.py at /assessment/."""

from django.urls import path, register_converter

from assessment.marks.views import due, entry


class CategoryConverter:
    """A category's slug in a URL under /assessment/<year>/, never one of the words the pages beside the grid
    use there (the Excel import, the scores, a new year): which page a URL is does not depend on the order of
    the patterns or of the includes. tests/test_url_precedence.py fails if a new word is missing here."""

    regex = "[-a-zA-Z0-9_]+"
    TAKEN = frozenset({"import", "new-year", "scores"})

    def to_python(self, value):
        if value in self.TAKEN:
            raise ValueError(value)  # no match: the URL is another page's
        return value

    def to_url(self, value):
        return value


register_converter(CategoryConverter, "category")

app_name = "assessment"
urlpatterns = [
    path("", entry.index, name="index"),
    path("marks/<int:pk>/", entry.mark_save, name="mark"),
    path("marks/<int:pk>/history/", entry.mark_history, name="mark_history"),
    path("marks/<int:pk>/due/", due.due_override, name="due_override"),
    path("batches/<int:pk>/undo/", entry.batch_undo, name="batch_undo"),
    path("<int:year>/", entry.year_overview, name="year"),
    path("<int:year>/new-year/", entry.new_year, name="new_year"),
    path("<int:year>/<category:category>/", entry.grid, name="grid"),
    path("<int:year>/<category:category>/bulk/", entry.bulk, name="bulk"),
]
