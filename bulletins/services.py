"""Composing and publishing issues. Each workflow runs in one transaction; refusals are DomainErrors.

The composer edits an issue's working copy (its Article, IssueCase, NewsItem and IssueTable
rows). Publishing freezes that working copy into an IssueVersion (see bulletins.snapshot);
a correction of a published issue edits the working copy again and publishes the next version.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from assessment import due
from assessment.models import Scheme
from assessment.years import latest_scheme_year
from bulletins.audit_actions import AuditAction
from cases.models import Case, CaseStatus
from core.audit import audited
from core.errors import Conflict, DomainError
from core.office.models import MASTHEAD_FIELDS, get_office
from core.people import display_name
from core.text import plain_line, plain_paragraphs

from . import figures, snapshot
from .models import Article, Issue, IssueCase, IssueTable, IssueVersion, NewsItem

# The composer's section kinds, in printed order: 【工作推进】【奖惩案例】【工作简讯】【工作进展通报】.
SECTIONS = {"article": Article, "case": IssueCase, "news": NewsItem, "table": IssueTable}
SECTION_NAMES = {"article": "工作推进", "case": "奖惩案例", "news": "工作简讯", "table": "工作进展通报"}

# Masthead and footer: proposed from the previous issue, editable in the composer.
COPIED_FIELDS = MASTHEAD_FIELDS  # what a new issue copies from the one before (or the office)


def pickable_cases(issue):
    """Cases staff may pick for `issue`'s 【奖惩案例】: accepted, marked for the bulletin, not printed yet."""
    return (
        Case.objects.filter(status=CaseStatus.ACCEPTED, for_bulletin=True, issue_cases__isnull=True)
        .select_related("source_unit")
        .order_by("-year", "-quarter", "-pk")
    )


def latest_issue():
    return Issue.objects.order_by("-year", "-number").first()


def propose_next(today=None):
    """(year, number, date) for a new issue, from the date (the portal's today, `assessment.due.today`:
    Asia/Shanghai).

    Issues are numbered within their year: the first issue dated in a new year is its 第1期, dated today,
    whether or not the office has started that year yet (its tables are added once it has). Only far past
    the latest year with schemes (an archive, the demo read years later) does the proposal go on in that
    year: the issue after its latest, dated a month on (at most the year's last day).
    """
    today = today or due.today()
    latest = latest_scheme_year()
    year = today.year if latest is None or today.year <= latest + 1 else latest
    last = Issue.objects.filter(year=year).order_by("-number").only("number", "date").first()
    number = last.number + 1 if last else 1
    if year == today.year and (last is None or today > last.date):
        return year, number, today
    if last is None:
        return year, number, datetime.date(year, 12, 31)
    return year, number, min(last.date + datetime.timedelta(days=30), datetime.date(year, 12, 31))


def year_started(year):
    """Whether the office has started `year` (it has schemes, so its issues get progress tables)."""
    return Scheme.objects.filter(year=year).exists()


def check_issue_date(year, date):
    """An issue is dated in its year: the year's numbering restarts with the first issue dated in a new year."""
    if date is not None and date.year != year:
        raise DomainError(f"{year}年的期刊日期应在{year}年内；{date.year}年的第一期从第1期编号。")


def create_issue(*, year, number, date, with_tables=True):
    """A new unpublished issue, masthead and footer copied from the previous one (or the office's defaults)."""
    with transaction.atomic():
        check_issue_date(year, date)
        if Issue.objects.filter(year=year, number=number).exists():
            raise DomainError(f"{year}年第{number}期已经存在。")
        previous, office = latest_issue(), get_office()
        # The previous issue's masthead and footer, as the office edited it for that issue; the office's
        # when there is none, or when the office changed its names or defaults at /office/ after that issue
        # was published.
        if previous and not office.masthead_since(previous.published_at):
            copied = {name: getattr(previous, name) for name in COPIED_FIELDS}
        else:
            copied = office.footer_defaults()
        issue = Issue.objects.create(year=year, number=number, date=date, is_published=False, **copied)
        if with_tables:
            schemes = Scheme.objects.filter(year=year).order_by("category__order", "pk")
            IssueTable.objects.bulk_create(
                IssueTable(issue=issue, scheme=scheme, order=order) for order, scheme in enumerate(schemes, start=1)
            )
        return issue


def update_issue(issue, **fields):
    """Change masthead, footer, date or (before publication) the number."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if "number" in fields and fields["number"] != issue.number:
            if issue.current_version_id:
                raise DomainError("已发布的期刊不能修改期号。")
            if Issue.objects.filter(year=issue.year, number=fields["number"]).exclude(pk=issue.pk).exists():
                raise DomainError(f"{issue.year}年第{fields['number']}期已经存在。")
        check_issue_date(issue.year, fields.get("date", issue.date))
        for name, value in fields.items():
            if name not in (*COPIED_FIELDS, "date", "number"):
                raise DomainError(f"不能修改“{name}”。")
            setattr(issue, name, plain_line(value) if isinstance(value, str) else value)
        try:
            issue.save()
        except IntegrityError as exc:
            raise DomainError("这一年度已有相同期号的期刊。") from exc
        return issue


def _next_order(issue, kind):
    return (SECTIONS[kind].objects.filter(issue=issue).aggregate(m=Max("order"))["m"] or 0) + 1


def _article_fields(title, body):
    title, body = plain_line(title), plain_paragraphs(body)
    if not title:
        raise DomainError("请填写文章标题。")
    if not body:
        raise DomainError("请填写文章正文。")
    return {"title": title, "body": body}


def _news_fields(date, text, source):
    text = plain_line(text)
    if not text:
        raise DomainError("请填写简讯内容。")
    return {"date": date, "text": text, "source": plain_line(source)}


def add_article(issue, *, title, body):
    with transaction.atomic():
        return Article.objects.create(issue=issue, order=_next_order(issue, "article"), **_article_fields(title, body))


def update_article(article, *, title, body):
    with transaction.atomic():
        for name, value in _article_fields(title, body).items():
            setattr(article, name, value)
        article.save()
        return article


def add_news(issue, *, date=None, text, source=""):
    with transaction.atomic():
        return NewsItem.objects.create(
            issue=issue, order=_next_order(issue, "news"), **_news_fields(date, text, source)
        )


def update_news(item, *, date=None, text, source=""):
    with transaction.atomic():
        for name, value in _news_fields(date, text, source).items():
            setattr(item, name, value)
        item.save()
        return item


def add_case(issue, case):
    with transaction.atomic():
        if not pickable_cases(issue).filter(pk=case.pk).exists():
            raise DomainError(f"案例“{case.title}”不能选入本期（已选入其他期刊或尚未通过审核）。")
        return IssueCase.objects.create(issue=issue, case=case, order=_next_order(issue, "case"))


def add_table(issue, scheme):
    with transaction.atomic():
        if scheme.year != issue.year:
            raise DomainError(f"只能加入{issue.year}年度的工作进展通报表格。")
        if IssueTable.objects.filter(issue=issue, scheme=scheme).exists():
            raise DomainError(f"“{scheme.category}”表已在本期中。")
        return IssueTable.objects.create(issue=issue, scheme=scheme, order=_next_order(issue, "table"))


def _sections(issue, kind):
    return list(SECTIONS[kind].objects.select_for_update().filter(issue=issue).order_by("order", "pk"))


def get_section(issue, kind, pk):
    if kind not in SECTIONS:
        raise DomainError("未知的栏目。")
    section = SECTIONS[kind].objects.filter(issue=issue, pk=pk).first()
    if section is None:
        raise DomainError("该内容已不在本期中。")
    return section


def move_section(issue, kind, pk, step):
    """Move a section up (step -1) or down (+1) among the issue's sections of the same kind."""
    with transaction.atomic():
        get_section(issue, kind, pk)
        items = _sections(issue, kind)
        index = next(i for i, s in enumerate(items) if s.pk == int(pk))
        target = index + (1 if int(step) > 0 else -1)
        if 0 <= target < len(items):
            items[index], items[target] = items[target], items[index]
        for order, item in enumerate(items, start=1):
            item.order = order
        SECTIONS[kind].objects.bulk_update(items, ["order"])


def remove_section(issue, kind, pk):
    """Take a section out of the working copy (a picked case stays in the case list)."""
    with transaction.atomic():
        get_section(issue, kind, pk).delete()
        items = _sections(issue, kind)
        for order, item in enumerate(items, start=1):
            item.order = order
        SECTIONS[kind].objects.bulk_update(items, ["order"])


def delete_draft(issue):
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.current_version_id or issue.versions.exists():
            raise DomainError("已发布的期刊不能删除，只能更正。")
        issue.delete()


def previous_published(issue):
    """The latest published issue before `issue` (by year and number), with its current version."""
    return (
        Issue.objects.filter(current_version__isnull=False)
        .filter(Q(year__lt=issue.year) | Q(year=issue.year, number__lt=issue.number))
        .select_related("current_version")
        .order_by("-year", "-number")
        .first()
    )


def changes_since_previous(issue, data):
    """Which cells of `data` changed since the previous published issue ({} when there is none)."""
    previous = previous_published(issue)
    if previous is None:
        return {}
    version = previous.current_version
    against = {"year": previous.year, "number": previous.number, "version": version.number}
    return snapshot.diff(version.snapshot, data, against=against)


def preview(issue, *, keep_tables=None):
    """(snapshot, changes) as `publish_issue` would freeze them now; nothing is saved.

    keep_tables: for a correction, keep the tables of the version being corrected (the default)
    instead of taking them from the current marks.
    """
    current = issue.current_version
    if current is not None and (keep_tables is None or keep_tables):
        data = snapshot.take(issue, tables=current.snapshot["tables"])
    else:
        data = snapshot.take(issue)
    return data, changes_since_previous(issue, data)


def _publish_facts(args, version):
    issue = args["issue"]
    correction = version.number > 1 if version is not None else issue.current_version_id is not None
    return {
        "action": AuditAction.CORRECT if correction else AuditAction.PUBLISH,
        "obj": issue,
        "detail": f"第{version.number}版 {version.reason}".strip() if version is not None else "",
    }


class AlreadyPublished(Conflict):
    """The issue was published (or corrected) by someone else after the user read it: a 409, saying by whom."""

    def __init__(self, version):
        self.version = version
        self.by = display_name(version.published_by)
        when = timezone.localtime(version.published_at)
        super().__init__(
            f"该期已由{self.by}于{when:%Y-%m-%d %H:%M}发布（第{version.number}版）。"
            "请刷新页面查看已发布的内容；发布更正需要填写更正原因。"
        )

    def current(self):
        return {"version": self.version.number, "published_at": self.version.published_at, "published_by": self.by}


def _latest_version(issue):
    return IssueVersion.objects.select_related("published_by").filter(issue=issue).order_by("-number").first()


@audited(AuditAction.PUBLISH, _publish_facts, refused=DomainError)
def publish_issue(issue, user, *, reason="", keep_tables=None, expected=None, published_at=None, seen=None):
    """Freeze the issue as it is now into its next version and show that version to readers.

    The first publication needs no reason; a correction (a later version) needs one.
    `expected`: the fingerprint of the previewed content; publishing refuses if it has changed since.
    `seen`: the number of the version the user saw (0: none). A publication made by someone else since, or
    made at the same moment, is `AlreadyPublished` (409, “该期已由…发布”), never a second version by accident.
    """
    with transaction.atomic():
        # The issue locked first, then its current version read in a query of its own: a version read in the
        # same query as the lock can be the one from before a publication that held the lock (PostgreSQL
        # re-reads only the locked row), which made the second of two simultaneous publications a 500.
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        current = issue.current_version
        reason = (reason or "").strip()
        if current is not None and (seen is None and not reason or seen is not None and current.number != seen):
            # Published since the caller looked (or, saying nothing of what it saw, it publishes as a first time).
            raise AlreadyPublished(_latest_version(issue))
        if current is not None and not reason:
            raise DomainError("本期已经发布。发布更正需要填写更正原因。")
        data, changes = preview(issue, keep_tables=keep_tables)
        if not any(data[key] for key in ("articles", "cases", "news", "tables")):
            raise DomainError("这一期还没有任何内容，不能发布。")
        if expected is not None and snapshot.fingerprint(data) != expected:
            raise DomainError("预览之后内容又有变化（例如完成情况被修改），请重新预览后再发布。")
        if current is not None and data == current.snapshot:
            raise DomainError("内容与已发布的版本相同，无需更正。")
        when = published_at or timezone.now()
        table_figures, table_units = figures.version_figures(data)
        try:
            with transaction.atomic():
                version = IssueVersion.objects.create(
                    issue=issue,
                    number=current.number + 1 if current else 1,
                    published_at=when,
                    published_by=user,
                    reason=reason if current else "",
                    snapshot=data,
                    changes=changes,
                    search_text=snapshot.search_text(data),
                    summary=snapshot.summary(data),
                    figures=table_figures,
                    table_units=table_units,
                )
        except IntegrityError:  # the same number written at the same moment (issueversion_unique_number)
            raise AlreadyPublished(_latest_version(issue)) from None
        issue.current_version = version
        issue.is_published = True
        issue.published_at = issue.published_at or when
        issue.save(update_fields=["current_version", "is_published", "published_at"])
        return version
