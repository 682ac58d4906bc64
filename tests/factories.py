"""factory_boy factories for the assessment, bulletin and case models."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessment.models import Category, Deduction, Indicator, Mark, Note, RuleKind, Scheme, SchemeUnit, Unit
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
