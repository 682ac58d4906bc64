"""factory_boy factories for the assessment, bulletin and case models."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from assessment.models import Category, Indicator, Mark, Note, RuleKind, Scheme, SchemeUnit, Unit
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
