"""The Atom feed of published issues (Django's syndication framework)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core.office.models import get_office

from .models import Issue


class IssueFeed(Feed):
    feed_type = Atom1Feed
    language = "zh-hans"

    def title(self):
        office = get_office()
        return f"{office.series_title} {office.subtitle}"

    def subtitle(self):
        office = get_office()
        return f"{office.name}编印的《{office.series_title} {office.subtitle}》，已发布的各期"

    def author_name(self):
        return get_office().name

    def link(self):
        return reverse("bulletins:archive")

    def feed_url(self):
        return reverse("bulletins:feed")

    def items(self):
        return (
            Issue.objects.filter(current_version__isnull=False)
            .select_related("current_version")
            .defer("current_version__snapshot", "current_version__changes", "current_version__search_text")
            .order_by("-year", "-number")[:30]
        )

    def item_title(self, issue):
        corrected = f"（已更正，第{issue.current_version.number}版）" if issue.current_version.is_correction else ""
        return f"{issue.series_title} {issue.subtitle} {issue.label}{corrected}"

    def item_description(self, issue):
        version = issue.current_version
        # A reason typed with its own full stop ends in one, not "。。".
        note = f"更正原因：{version.reason.rstrip('。. ')}。" if version.is_correction else ""
        return f"{note}{version.summary}"

    def item_link(self, issue):
        return issue.get_absolute_url()

    def item_guid(self, issue):
        # Stable across corrections: a correction updates the entry rather than adding one.
        return f"tag:kunshan-credit,{issue.year}:bulletin/{issue.year}/{issue.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, issue):
        return issue.published_at or issue.current_version.published_at

    def item_updateddate(self, issue):
        return issue.current_version.published_at

    def item_author_name(self, issue):
        return issue.issuer
