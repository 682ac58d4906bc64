"""factory_boy factories for the assessment, bulletin and case models."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessment import stored_tallies
from assessment.models import (
    Category,
    Deduction,
    Indicator,
    Mark,
    Note,
    Reporter,
    RuleKind,
    Scheme,
    SchemeUnit,
    Unit,
)
from bulletins.management.commands.load_demo import DEMO_EMAIL_DOMAIN
from bulletins.models import Issue
from cases.models import Case, CaseKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-secret-123")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"类别{n}")
    slug = factory.Sequence(lambda n: f"cat{n}")
    order = factory.Sequence(lambda n: 10 + n)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    category = factory.SubFactory(CategoryFactory)
    order = factory.Sequence(lambda n: 1000 + n)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    year = 2030
    category = factory.SubFactory(CategoryFactory)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    scheme = factory.SubFactory(SchemeFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"指标{n}")
    points = Decimal("0.1")
    points_label = "(0.1分)"
    rule_kind = RuleKind.LOSE
    allowed_states = factory.LazyFunction(lambda: ["√", "*", "非考核项", "已说明"])


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    scheme = factory.SubFactory(SchemeFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"说明{n}")


class SchemeUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeUnit

    scheme = factory.SubFactory(SchemeFactory)
    unit = factory.SubFactory(UnitFactory, category=factory.SelfAttribute("..scheme.category"))
    order = factory.Sequence(lambda n: n + 1)


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mark

    indicator = factory.SubFactory(IndicatorFactory)
    unit = factory.SubFactory(UnitFactory)
    state = "√"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    year = 2030
    number = factory.Sequence(lambda n: n + 1)
    date = datetime.date(2030, 1, 15)
    is_published = True


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    kind = CaseKind.REWARD
    title = factory.Sequence(lambda n: f"案例{n}")
    body = "正文第一段。"
    source_label = "市测试局"
    year = 2030
    quarter = 1


def multiply_units(factor, year=2019):
    """Add (factor - 1) copies of every demo unit, with marks, to every scheme of `year` (query-count tests)."""
    for scheme in Scheme.objects.filter(year=year).prefetch_related("indicators", "scheme_units__unit"):
        indicators = list(scheme.indicators.all())
        originals = list(scheme.scheme_units.all())
        units = Unit.objects.bulk_create(
            Unit(name=f"{su.unit.name}#{copy}", category=scheme.category, order=10000 + copy * 100 + i)
            for copy in range(1, factor)
            for i, su in enumerate(originals)
        )
        SchemeUnit.objects.bulk_create(
            SchemeUnit(scheme=scheme, unit=unit, order=1000 + i) for i, unit in enumerate(units)
        )
        Mark.objects.bulk_create(
            Mark(
                unit=unit,
                indicator=ind,
                state="√" if not ind.accepts_count else "",
                count=3 if ind.accepts_count else None,
            )
            if ind.allowed_states != ["无"]
            else Mark(unit=unit, indicator=ind, state="无")
            for unit in units
            for ind in indicators
        )
        stored_tallies.refresh([scheme.pk])  # bulk_create sends no signal: counted again, as a stale read would


def reporter_address(unit_name):
    """The e-mail of a unit's demo reporter: the demo gives every unit one (fagaiwei@…, unit01@…)."""
    return Reporter.objects.get(unit__name=unit_name, user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}").user.email


def unit_without_contact(like, name, year=2019):
    """A unit nobody can be reached at (no reporter, no robot), in `like`'s tables of `year` with `like`'s cells.

    The demo gives every unit a reporter (as `make run` does); the reminder tests that need a unit without
    any contact make one here: same category, after `like` in the printed order, each of its marks copied
    (word and number; no cases or records of its own, so its 奖惩案例 cell shows *).
    """
    source = Unit.objects.get(name=like)
    unit = UnitFactory(name=name, category=source.category, order=source.order + 1000)
    for enrolled in SchemeUnit.objects.filter(unit=source, scheme__year=year):
        SchemeUnit.objects.create(scheme=enrolled.scheme, unit=unit, order=enrolled.order + 1000)
    for mark in Mark.objects.filter(unit=source, indicator__scheme__year=year):
        Mark.objects.create(unit=unit, indicator_id=mark.indicator_id, state=mark.state, count=mark.count)
    return unit


# --- api


class TokenFactory(factory.django.DjangoModelFactory):
    """An API token of an account (rest_framework.authtoken)."""

    class Meta:
        model = "authtoken.Token"
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)


class MarkRequestFactory(factory.django.DjangoModelFactory):
    """A unit's request about a * item (the mark should be * and the user the unit's reporter)."""

    class Meta:
        model = "assessment.MarkRequest"

    mark = factory.SubFactory(MarkFactory, state="*")
    kind = "done"
    text = "已完成，见附件。"
    submitted_by = factory.SubFactory(UserFactory)


# --- cases

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="证明材料.pdf", content=PDF_BYTES):
    """An uploaded PDF as a browser would send it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


class CaseAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CaseAttachment"

    case = factory.SubFactory(CaseFactory)
    file = factory.django.FileField(filename="证明.pdf", data=PDF_BYTES)
    name = "证明.pdf"
    kind_label = "PDF"
    size = len(PDF_BYTES)


class CaseCountRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CaseCountRecord"

    class Params:
        quarter = 2  # a record of one quarter; pass first_quarter and last_quarter for a span

    unit = factory.SubFactory(UnitFactory)
    year = 2019
    first_quarter = factory.SelfAttribute("quarter")
    last_quarter = factory.SelfAttribute("quarter")
    date = datetime.date(2019, 6, 30)
    count = 1
    note = "电子邮件报送"


# --- scoring


class DeductionFactory(factory.django.DjangoModelFactory):
    """A recorded deduction; pass unit and indicator (per-occurrence: count, discretionary: amount)."""

    class Meta:
        model = Deduction

    date = factory.LazyAttribute(lambda o: datetime.date(o.indicator.scheme.year, 6, 30))
    count = 1
    amount = None
    reason = "测试扣分事由"
    entered_by = factory.SubFactory(UserFactory)
    confirmed_at = factory.LazyFunction(timezone.now)
    confirmed_by = factory.SelfAttribute("entered_by")


# --- publish: issue sections
class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bulletins.Article"

    issue = factory.SubFactory(IssueFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"文章标题{n}")
    body = "第一段正文。\n一、第一个小标题\n第二段正文。"


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bulletins.NewsItem"

    issue = factory.SubFactory(IssueFactory)
    order = factory.Sequence(lambda n: n + 1)
    date = datetime.date(2030, 1, 10)
    text = factory.Sequence(lambda n: f"1月10日，简讯{n}。")


# --- frozen issues: a published page changes only through a correction


def correct_demo_issue(reason="按当前完成情况更正"):
    """Publish a correction of 2019 第11期 that takes the current tables (as the office does to print new figures).

    Returns False when nothing changed since the published version (no correction needed).
    """
    from bulletins.models import Issue
    from bulletins.services import publish_issue
    from core.errors import DomainError

    try:
        publish_issue(Issue.objects.get(year=2019, number=11), None, reason=reason, keep_tables=False)
    except DomainError as exc:
        if "无需更正" in str(exc):
            return False
        raise
    return True
