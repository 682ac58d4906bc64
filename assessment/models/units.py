"""Categories (部门、镇、区) and the units assessed in them."""

from django.core.exceptions import ValidationError
from django.db import models


class Category(models.Model):
    """A kind of assessed unit with its own table: 区镇, 城市管理办事处, 部门."""

    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField("标识", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "单位类别"
        verbose_name_plural = "单位类别"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """An assessed unit (责任单位). Which year it takes part in is its SchemeUnit rows."""

    name = models.CharField("名称（按通报）", max_length=100)
    full_name = models.CharField("全称", max_length=200, blank=True)
    category = models.ForeignKey(Category, models.PROTECT, related_name="units", verbose_name="类别")
    order = models.PositiveIntegerField("顺序", default=0)
    is_active = models.BooleanField("参加考核", default=True)

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["category__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="unit_unique_name",
                violation_error_message="已有同名的责任单位。",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # A unit's rows in past and current tables sit under its category: it cannot move once enrolled.
        if self.pk and self.category_id:
            before = Unit.objects.filter(pk=self.pk).values_list("category_id", flat=True).first()
            if before is not None and before != self.category_id and self.scheme_units.exists():
                raise ValidationError({"category": "该单位已参加考核方案，不能更改类别。"})

    def deletion_refusal(self):
        """Why the unit cannot be deleted (what would be lost with it), or None when nothing refers to it."""
        return _deletion_refusal(self, "如不再参加考核，请改为停用。")


def _deletion_refusal(obj, advice):
    """Whatever rows of any app still refer to `obj` (kept or deleted with it), named in Chinese, as a refusal.

    Asks Django's deletion collector, so a relation added later by another app (cases, notify) counts
    too, without this layer importing it.
    """
    from django.db import router
    from django.db.models.deletion import Collector, ProtectedError, RestrictedError

    collector = Collector(using=router.db_for_write(type(obj)))
    found = {}
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        for row in blocking:
            found[row._meta.verbose_name] = found.get(row._meta.verbose_name, 0) + 1
    else:
        for model, rows in collector.data.items():
            others = [r for r in rows if r is not obj and not (model is type(obj) and r.pk == obj.pk)]
            if others:
                found[model._meta.verbose_name] = found.get(model._meta.verbose_name, 0) + len(others)
        for queryset in collector.fast_deletes:
            count = queryset.count()
            if count and queryset.model is not type(obj):
                name = queryset.model._meta.verbose_name
                found[name] = found.get(name, 0) + count
    if not found:
        return None
    listed = "、".join(f"{name}{count}条" for name, count in found.items())
    return f"“{obj}”还有{listed}，删除会丢失这些记录，不能删除。{advice}"
