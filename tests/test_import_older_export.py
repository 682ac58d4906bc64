"""An import built from an older export warns, and names each newer change it would revert; a refused
preview says it is refused (未导入), never 待确认."""

import pytest

from assessment.marks.services import set_mark
from assessment.models import ImportSession, Mark

from .test_import_marks import YEAR_EXPORT, _download, _edit, _session, _set, _upload


@pytest.fixture
def staff(role_client):
    return role_client("staff")


def test_a_file_older_than_the_data_names_the_changes_it_would_revert(staff, staff_user):
    exported = _download(staff, YEAR_EXPORT)
    # After the export, someone marks a * item of a department done in the browser.
    newer = (
        Mark.objects.filter(indicator__scheme__year=2019, indicator__scheme__category__slug="departments", state="*")
        .exclude(indicator__accepts_count=True)
        .exclude(unit__name="教育局")
        .select_related("unit")
        .first()
    )
    set_mark(newer, "√", staff_user)
    # The old file, edited elsewhere (教育局), still holds * for that unit.
    session = _session(_upload(staff, _edit(exported, _set("部门", "教育局", 3, "√"))))
    reverts = session.payload["reverts"]
    assert [(r["unit"], r["indicator"], r["old"], r["new"]) for r in reverts] == [
        (newer.unit.name, newer.indicator.title, "√", "*")
    ]
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "文件比系统中的数据旧" in page and "此后系统中有 1 处修改" in page
    assert "将被撤销的较新修改" in page and newer.unit.name in page


def test_a_fresh_export_warns_of_nothing(staff):
    session = _session(_upload(staff, _edit(_download(staff, YEAR_EXPORT), _set("部门", "教育局", 3, "√"))))
    assert session.payload["reverts"] == [] and session.payload["stale_warning"] == ""
    assert "文件比系统中的数据旧" not in staff.get(f"/assessment/import/{session.token}/").content.decode()


def test_a_preview_with_errors_is_refused_and_says_so(staff):
    session = _session(_upload(staff, _edit(_download(staff, YEAR_EXPORT), _set("部门", "教育局", 3, "不知道"))))
    assert session.errors and session.status == ImportSession.Status.REFUSED
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "未导入" in page and "待确认" not in page
    confirm = staff.post(f"/assessment/import/{session.token}/confirm/", follow=True).content.decode()
    assert "文件中有错误，不能导入" in confirm
