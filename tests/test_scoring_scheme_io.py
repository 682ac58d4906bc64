"""Rules travel with the scheme: export a year as JSON and import it again (the demo file's format)."""

import io
import json
from decimal import Decimal as D

from django.core.management import call_command

from assessment.imports.schemes import export_year, import_year
from assessment.models import Indicator, RuleGroup
from assessment.scoring.live import year_scores
from bulletins.management.commands.load_demo import DEMO_DIR

from .conftest import log_in


def test_the_demo_year_exports_exactly_as_the_demo_file(db):
    assert export_year(2019) == json.loads((DEMO_DIR / "schemes-2019.json").read_text(encoding="utf-8"))


def test_changed_rules_survive_export_and_import(db, tmp_path):
    data = export_year(2019)
    departments = data["schemes"][2]
    departments["rule_groups"][0]["points"] = "0.4"  # note 1 worth 0.4 instead of 0.3
    departments["indicators"][8]["rate"] = "0.1"  # 宣传 0.1 per miss
    path = tmp_path / "schemes.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("import_schemes", str(path), stdout=io.StringIO())
    group = RuleGroup.objects.get(scheme__year=2019, note__number=1)
    assert group.points == D("0.4")
    assert Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=9).rate == D("0.1")
    scores = {u.unit_name: u for c in year_scores(2019) for u in c.units}
    assert scores["发改委"].full_points == D("1.9")
    # note 1, feedback once, 宣传 once at the new rate, and note 6's fourth quarter (its 前三季度 record's 5 cases
    # cover quarters one to three only)
    assert scores["财政局"].year_end_score == D("1.9") - D("0.4") - D("0.01") - D("0.1") - D("0.05")
    assert export_year(2019) == data
    import_year(data)  # again: nothing changes
    assert export_year(2019) == data


def test_the_export_command(db):
    out = io.StringIO()
    call_command("export_schemes", "2019", stdout=out)
    assert json.loads(out.getvalue())["schemes"][2]["rule_groups"] == [
        {"note": 1, "points": "0.3", "indicators": [1, 2]},
        {"note": 3, "points": "0.2", "indicators": [4, 5]},
    ]


def test_rules_are_edited_by_staff_in_the_admin(client, staff_user):
    """考核方案 in the admin: each indicator's rule fields and the scheme's 合并计分规则 inline."""
    from assessment.models import Scheme

    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    log_in(client, staff_user)
    scheme = Scheme.objects.get(year=2019, category__slug="departments")
    html = client.get(f"/admin/assessment/scheme/{scheme.pk}/change/").content.decode()
    for label in ("计分方式", "每次扣分", "最高扣分", "计入满分", "扣分情况写法", "合并计分", "合并计分规则"):
        assert label in html, label
    assert "2019年 部门 说明1（0.3分）" in html
