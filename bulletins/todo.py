"""The bulletin's to-do source (assessment.todo): published issues whose PDF, Word or Excel file is not made
yet (`documents.progress`, the issue page's progress line). Registered from BulletinsConfig.ready."""

from django.urls import reverse

from assessment import access
from assessment.todo.registry import TodoItem, TodoSection, TodoSource, register
from core.prepared import Prepared

from . import documents
from .models import Issue, IssueVersion

#: The latest issues looked at: an older version's files are made at its first download, if ever.
LATEST = 3

# What a stored file's name is made of (documents.version_folder), not the version's frozen JSON (its table_units
# alone is every unit of the year); compiled once (core.prepared): the menu on every page asks it.
_LATEST_PUBLISHED = Prepared(
    lambda: (
        Issue.objects.filter(current_version__isnull=False)
        .order_by("-current_version__published_at", "-pk")
        .values_list("year", "number", "current_version__number", "current_version__published_at")[:LATEST]
    )
)


class DocumentsNotMade(TodoSource):
    key = "bulletins.documents"
    title = "尚未生成的期刊文件"
    roles = (access.STAFF,)

    def entries(self, run, limit):
        waiting = []
        for year, number, version_number, published_at in _LATEST_PUBLISHED.rows():
            issue = Issue(year=year, number=number)
            version = IssueVersion(issue=issue, number=version_number, published_at=published_at)
            progress = documents.progress(version)
            if progress["missing"]:
                waiting.append((issue, progress["text"]))
        if not waiting:
            return None
        items = [
            TodoItem(
                f"{issue.year}年第{issue.number}期", reverse("bulletins:issue", args=[issue.year, issue.number]), note
            )
            for issue, note in waiting[:limit]
        ]
        return TodoSection(self.title, len(waiting), items, reverse("bulletins:archive"))


def register_all():
    register(DocumentsNotMade())
