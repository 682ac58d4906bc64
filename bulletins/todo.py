"""The bulletin's to-do source (assessment.todo): published issues whose PDF, Word or Excel file is not made
yet (`documents.progress`, the issue page's progress line). Registered from BulletinsConfig.ready."""

from django.urls import reverse

from assessment import access
from assessment.todo.registry import TodoItem, TodoSection, TodoSource, register

from . import documents
from .models import Issue

#: The latest issues looked at: an older version's files are made at its first download, if ever.
LATEST = 3


class DocumentsNotMade(TodoSource):
    key = "bulletins.documents"
    title = "尚未生成的期刊文件"
    roles = (access.STAFF,)

    def entries(self, run, limit):
        issues = (
            Issue.objects.filter(current_version__isnull=False)
            .select_related("current_version")
            # What a stored file's name is made of (documents.version_folder), not the version's frozen JSON (its
            # table_units alone is every unit of the year: milliseconds to decode on every page's menu).
            .only("year", "number", "current_version__number", "current_version__published_at")
            .order_by("-current_version__published_at", "-pk")[:LATEST]
        )
        waiting = []
        for issue in issues:
            version = issue.current_version
            version.issue = issue
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
