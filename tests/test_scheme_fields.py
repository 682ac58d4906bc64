"""One list of a scheme's fields (assessment.scheme_fields): every model field is declared, and every path reads it."""

from assessment import scheme_fields
from assessment.api.schemes import IndicatorSerializer, NoteSerializer
from assessment.directory.forms import IndicatorForm, NoteForm
from assessment.imports.scheme_resources import IndicatorResource
from assessment.models import Indicator, Note, RuleGroup, Scheme
from cases.models import CaseDuty

# Rows that point at a part of a scheme without being part of it: each is the year's work, not its plan.
NOT_PARTS = {
    "assessment.mark": "完成情况是一年的记录，新年度每格从初始值开始",
    "assessment.deduction": "扣分记录属于当年的考核",
    "assessment.schemetally": "保存的统计，由当年的完成情况统计得出，新年度重新统计",
    "assessment.columntally": "保存的统计，由当年的完成情况统计得出，新年度重新统计",
    "assessment.unitpending": "保存的统计，由当年的完成情况统计得出，新年度重新统计",
    "bulletins.issue": "期刊印的是当时的表格，属于当年",
    "bulletins.issuetable": "期刊冻结的表格，属于当年",
    "notify.follow": "关注是用户的设置，不是方案",
}


def _own_fields(model):
    """The model's own fields (concrete and many-to-many), not the relations other models point in with."""
    return {f.name for f in model._meta.get_fields() if not f.auto_created or f.concrete}


def test_every_field_of_every_part_is_declared_or_said_why_not():
    for part in scheme_fields.parts():
        declared = set(part.fields) | set(part.not_copied)
        assert len(part.fields) + len(part.not_copied) == len(declared), part.label
        assert declared == _own_fields(part.model), (
            f"{part.label}: 新字段须写进 assessment.scheme_fields（组成部分或不复制的原因）"
        )
        assert all(reason.strip() for reason in part.not_copied.values())


def test_the_case_duty_registers_itself():
    assert [p.model for p in scheme_fields.indicator_extensions()] == [CaseDuty]


def test_every_row_that_points_at_a_scheme_is_a_part_or_said_why_not():
    models = {p.model for p in scheme_fields.parts()}
    for model in (Scheme, Indicator, Note, RuleGroup):
        for relation in model._meta.get_fields():
            if not relation.auto_created or relation.concrete:
                continue
            other = relation.related_model
            assert other in models or other._meta.label_lower in NOT_PARTS, (
                f"{other._meta.label} 指向{model._meta.verbose_name}："
                "请在 assessment.scheme_fields 登记，或说明为何不属于方案"
            )


def test_the_office_forms_the_api_and_the_workbook_read_the_declaration():
    indicator = scheme_fields.INDICATOR
    # The form edits every declared field but the place in the table, which is changed by moving the column.
    assert set(IndicatorForm._meta.fields) == set(indicator.fields) - {"order"}
    assert set(NoteForm._meta.fields) == set(scheme_fields.NOTE.fields) - {"number"}
    assert set(indicator.fields) <= set(IndicatorSerializer.Meta.fields)
    assert set(scheme_fields.NOTE.fields) <= set(NoteSerializer.Meta.fields)
    columns = {f.attribute for f in IndicatorResource(2019).get_export_fields()}
    # 合并计分 travels in its own sheet (the rule group lists its columns); the case duty as a column.
    assert columns >= set(indicator.fields) - {"rule_group"}


def test_the_scheme_json_carries_every_declared_field(db):
    from assessment.imports.schemes import export_year

    (towns, offices, departments) = export_year(2019)["schemes"]
    values = set(scheme_fields.INDICATOR.value_fields())
    assert all(values <= set(i) for s in (towns, offices, departments) for i in s["indicators"])
    assert departments["indicators"][7]["case_duty"] == {"per_quarter": 1}  # the registered part travels too
    assert set(scheme_fields.NOTE.value_fields()) <= set(departments["notes"][0])
    assert set(scheme_fields.RULE_GROUP.value_fields()) <= set(departments["rule_groups"][0])
