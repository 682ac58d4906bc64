"""The leader's to-do source (assessment.todo): the units and indicators they follow that changed since they
last read them there. Each entry links to the change and has 已阅, which moves `Follow.seen_until`."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessment import access
from assessment.todo.registry import TodoItem, TodoSection, TodoSource, register
from core.errors import DomainError

from .digests import followed_changes
from .models import Follow

#: Changes older than this are not brought up again (the digests had them).
LOOK_BACK = timedelta(days=30)


def _since(follow_row, now):
    return max(follow_row.seen_until, now - LOOK_BACK)


class FollowedChanges(TodoSource):
    key = "notify.followed_changes"
    title = "关注的单位和指标有新变化"
    roles = (access.LEADER,)

    def entries(self, run, limit):
        now = timezone.now()
        follows = list(Follow.objects.filter(user=run.user).select_related("unit", "indicator__scheme").order_by("pk"))
        changed = followed_changes(follows, lambda f: _since(f, now), now)
        if not changed:
            return None
        items = [
            TodoItem(
                f.target_label,
                entries[-1].path,
                f"{len(entries)} 项变化，最近：{entries[-1].text}",
                done=reverse("todo_seen", args=[f.pk]),
            )
            for f, entries in changed[:limit]
        ]
        return TodoSection(self.title, len(changed), items)


def mark_seen(user, follow_pk):
    """The follower has read what changed there: the entry leaves the 待办 until the next change."""
    updated = Follow.objects.filter(pk=follow_pk, user=user).update(seen_until=timezone.now())
    if not updated:
        raise DomainError("没有找到该关注。")


def register_all():
    register(FollowedChanges())
