"""A correction after publishing: a new version with a reason; earlier versions stay readable."""

import re
from urllib.parse import unquote

import pytest
from django.utils import timezone

from assessment.marks.services import set_mark
from assessment.models import Mark
from bulletins import documents, services
from bulletins.models import Article, Issue

DEMO = "/bulletins/2019/11/"


@pytest.fixture
def demo(db):
    return Issue.objects.select_related("current_version").get(year=2019, number=11)


def _fingerprint(client, query=""):
    page = client.get(f"{DEMO}publish/{query}").content.decode()
    return re.search(r'name="fingerprint" value="(\w+)"', page)[1]


def _correct_title(client, demo, title):
    article = demo.articles.get()
    response = client.post(
        f"{DEMO}sections/article/{article.pk}/",
        {f"article-{article.pk}-title": title, f"article-{article.pk}-body": article.body},
    )
    assert response.status_code == 302


def test_editing_a_published_issue_changes_nothing_until_the_correction_is_published(role_client, demo):
    staff = role_client("staff")
    _correct_title(staff, demo, "完善信用体系 优化营商环境（更正稿）")
    assert "更正稿" not in role_client("anonymous").get(DEMO).content.decode()
    staff = role_client("staff")  # one test client: log back in
    assert "更正稿" in staff.get(f"{DEMO}preview/").content.decode()
    edit = staff.get(f"{DEMO}edit/").content.decode()
    assert "发布更正" in edit and "不会改变已发布的内容" in edit


def test_a_correction_needs_a_reason(role_client, demo):
    staff = role_client("staff")
    _correct_title(staff, demo, "更正后的标题")
    response = staff.post(f"{DEMO}publish/", {"fingerprint": _fingerprint(staff), "keep_tables": "1"}, follow=True)
    assert "发布更正需要填写更正原因" in response.content.decode()
    demo.refresh_from_db()
    assert demo.current_version.number == 1


def test_the_corrected_page_says_when_and_why_and_keeps_the_first_version(role_client, demo):
    staff = role_client("staff")
    _correct_title(staff, demo, "更正后的标题")
    response = staff.post(
        f"{DEMO}publish/",
        {"fingerprint": _fingerprint(staff), "keep_tables": "1", "reason": "文章标题有误"},
    )
    assert response.status_code == 302
    demo.refresh_from_db()
    version = demo.current_version
    assert version.number == 2 and version.reason == "文章标题有误" and version.published_by.username == "t_staff"
    reader = role_client("anonymous")
    html = reader.get(DEMO).content.decode()
    when = timezone.localtime(version.published_at).strftime("%Y年%-m月%-d日 %H:%M")
    assert f"本期已于 {when} 更正（第2版）。更正原因：文章标题有误" in html
    assert "更正后的标题" in html
    assert 'href="/bulletins/2019/11/v1/">第1版</a>' in html
    old = reader.get(f"{DEMO}v1/").content.decode()
    assert "完善信用体系 优化营商环境 ——“诚信昆山”走在前列" in old and "更正后的标题" not in old
    assert "这是本期更正前的第1版" in old and "查看当前版本（第2版）" in old
    assert reader.get(f"{DEMO}v2/").status_code == 200
    assert reader.get(f"{DEMO}v3/").status_code == 404
    # The first publication date stays; the feed and archive say it was corrected.
    assert demo.published_at < version.published_at
    assert "已更正" in reader.get("/bulletins/").content.decode()
    assert "（已更正，第2版）" in reader.get("/bulletins/feed/").content.decode()


def test_a_correction_keeps_the_published_tables_unless_asked(demo, staff_user):
    mark = Mark.objects.get(unit__name="财政局", indicator__order=2, indicator__scheme__category__slug="departments")
    set_mark(mark, "√", staff_user)
    Article.objects.filter(issue=demo).update(title="标题一")
    kept = services.publish_issue(demo, staff_user, reason="更正标题")
    assert kept.snapshot["tables"] == demo.current_version.snapshot["tables"]
    row = next(r for r in kept.snapshot["tables"][2]["rows"] if r["unit"] == "财政局")
    assert row["values"][1] == "*"
    demo.refresh_from_db()
    taken = services.publish_issue(demo, staff_user, reason="按最新完成情况更新", keep_tables=False)
    row = next(r for r in taken.snapshot["tables"][2]["rows"] if r["unit"] == "财政局")
    assert row["values"][1] == "√" and taken.number == 3


def test_the_publish_page_offers_both_table_modes(role_client, demo, staff_user):
    staff = role_client("staff")
    mark = Mark.objects.get(unit__name="财政局", indicator__order=2, indicator__scheme__category__slug="departments")
    set_mark(mark, "√", staff_user)
    page = staff.get(f"{DEMO}publish/").content.decode()
    assert "保持第1版已发布的内容" in page and 'value="1"' in page
    page = staff.get(f"{DEMO}publish/?tables=current").content.decode()
    assert "按当前完成情况更新" in page and 'name="keep_tables" value="0"' in page
    response = staff.post(
        f"{DEMO}publish/",
        {"fingerprint": _fingerprint(staff, "?tables=current"), "keep_tables": "0", "reason": "更新表格"},
    )
    assert response.status_code == 302
    html = role_client("anonymous").get(DEMO).content.decode()
    assert re.search(r">财政局</th>\s*<td>√</td><td>√</td>", html)


def test_an_identical_correction_is_refused(demo):
    with pytest.raises(services.DomainError, match="无需更正"):
        services.publish_issue(demo, None, reason="没有改动")


def test_preview_of_a_correction_shows_the_table_mode(role_client, demo):
    staff = role_client("staff")
    assert "保持已发布的内容" in staff.get(f"{DEMO}preview/").content.decode()
    assert "按当前完成情况" in staff.get(f"{DEMO}preview/?tables=current").content.decode()


@pytest.mark.usefixtures("media_root")
def test_once_corrected_each_versions_download_names_its_version(role_client, demo):
    staff = role_client("staff")

    def name(url):
        if url.endswith(".docx"):  # a Word file is downloaded once render_documents has made it (202 before)
            demo.refresh_from_db()
            version = url.rsplit("/v", 1)[-1].split("/")[0] if "/v" in url.rsplit(DEMO, 1)[-1] else None
            documents.store(demo.versions.get(number=int(version)) if version else demo.current_version, "docx")
        response = staff.get(url)
        assert response.status_code == 200, url
        return unquote(response["Content-Disposition"]).rsplit("''", 1)[-1]

    assert name(f"{DEMO}issue.docx") == "工作信息-2019年第11期.docx"  # one version: the issue's name
    _correct_title(staff, demo, "更正后的标题")
    staff.post(f"{DEMO}publish/", {"fingerprint": _fingerprint(staff), "keep_tables": "1", "reason": "文章标题有误"})
    assert name(f"{DEMO}v1/issue.docx") == "工作信息-2019年第11期-第1版.docx"
    assert name(f"{DEMO}v2/issue.docx") == "工作信息-2019年第11期-第2版.docx"
    assert name(f"{DEMO}issue.docx") == "工作信息-2019年第11期-第2版.docx"
    demo.refresh_from_db()
    assert documents.KINDS["pdf"].filename(demo, demo.versions.get(number=1)) == "工作信息-2019年第11期-第1版.pdf"
