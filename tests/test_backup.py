"""manage.py backup / restore: a round trip of the demo with office work, on the suite's database (SQLite or PG)."""

import datetime
import hashlib
import importlib
import io
import json
import re
import shutil
import tarfile

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from assessment.marks.services import set_mark
from assessment.models import Mark, Unit
from cases import services as case_services
from cases.models import CaseAttachment
from kunshan_credit.backup import DATABASE, MANIFEST, SIGNATURE, dumped_models, sign

from .conftest import log_in
from .factories import pdf_upload

BULLETIN = "/bulletins/2019/11/"


def _backup(path):
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def _restore(path):
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    return out.getvalue()


def _member(path, name):
    with tarfile.open(path, "r:gz") as archive:
        return archive.extractfile(name).read()


def _counts():
    return {m._meta.label_lower: m._default_manager.count() for m in dumped_models()}


def _page_text(client):
    """The published page as a reader sees it: its text, without markup (nonces, tokens)."""
    response = client.get(BULLETIN)
    assert response.status_code == 200
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _empty_database_and_media(media_root, same_ids=True):
    """What an operator has before a restore: a new database after `migrate`, an empty attachment directory.

    `migrate` writes the role groups: with the ids they had (a database migrated the same way), or,
    `same_ids=False`, under other ids (groups deleted and made again before the backup).
    """
    groups = list(Group.objects.values_list("pk", "name"))
    call_command("flush", interactive=False, verbosity=0)  # content types and permissions come back (post_migrate)
    if same_ids:
        Group.objects.bulk_create(Group(pk=pk, name=name) for pk, name in groups)
    else:
        Group.objects.bulk_create(Group(name=f"临时{n}") for n in range(20))
        Group.objects.all().delete()
        importlib.import_module("core.migrations.0002_role_groups").create_groups(apps, None)
        assert not set(Group.objects.values_list("pk", "name")) & set(groups)
    shutil.rmtree(media_root, ignore_errors=True)


def _rewrite(source, target, change):
    """A copy of the archive with `change(name, bytes) -> bytes | None` applied to each member (None drops it)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))
    return target


def _case_data(title):
    return {
        "kind": "reward",
        "title": title,
        "body": "正文第一段。\n正文第二段。",
        "subject": "某企业",
        "measure": "列入红名单",
        "event_date": datetime.date(2019, 11, 5),
    }


def _with_sums(source, target, signed=True):
    """The archive with its manifest's sums made to match its members, signed again with the portal's key
    (`signed=False`: a forger's archive, who has no key and keeps the old signature)."""
    with tarfile.open(source, "r:gz") as old:
        members = {m.name: old.extractfile(m).read() for m in old}
    manifest = json.loads(members[MANIFEST])
    manifest["members"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
        if name not in (MANIFEST, SIGNATURE)
    }
    members[MANIFEST] = json.dumps(manifest).encode()
    if signed:
        members[SIGNATURE] = sign(members[MANIFEST]).encode()
    return _rewrite(source, target, lambda name, data: members[name])


def _office_work(staff_user, reporter_user):
    """Marks edited (with history), a case with two attachments submitted and accepted."""
    mark = Mark.objects.get(unit__name="发改委", indicator__scheme__year=2019, indicator__order=1)
    set_mark(mark, "*", staff_user)
    set_mark(mark, "√", staff_user)
    case = case_services.create_case(
        reporter_user,
        _case_data("备份测试案例"),
        uploads=[pdf_upload("证明.pdf"), pdf_upload("附件二.pdf", b"%PDF-1.4\n%\xe2\xe3\n2 0 obj<<>>endobj\n%%EOF\n")],
        submit=True,
    )
    case_services.accept_case(case, staff_user)
    return case


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_ids", [True, False], ids=["groups-as-migrated", "groups-under-other-ids"])
def test_round_trip_restores_every_row_every_file_and_the_page(
    demo_db, staff_user, reporter_user, media_root, tmp_path, client, same_ids
):
    case = _office_work(staff_user, reporter_user)
    files = {a.file.name: a.file.read() for a in CaseAttachment.objects.filter(case=case)}
    assert len(files) == 2
    page, counts = _page_text(client), _counts()
    archive = tmp_path / "backup.tar.gz"
    assert "已备份到" in _backup(archive)
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes inside
    manifest = json.loads(_member(archive, MANIFEST))
    assert manifest["rows"] == counts and manifest["database_vendor"]
    assert {f"media/{name}" for name in files} <= set(manifest["members"])
    assert manifest["rows"]["assessment.historicalmark"] > Mark.objects.count()  # the history travels

    _empty_database_and_media(media_root, same_ids)
    assert not Unit.objects.exists() and not media_root.exists()
    assert "已从" in _restore(archive)

    assert _counts() == counts
    again = tmp_path / "again.tar.gz"
    _backup(again)
    assert _member(again, DATABASE) == _member(archive, DATABASE)  # every table, every row, every value
    for attachment in CaseAttachment.objects.filter(case=case):
        assert attachment.file.read() == files[attachment.file.name]
    assert _page_text(client) == page
    log_in(client, staff_user)
    assert client.get(f"/cases/case/{case.pk}/").status_code == 200

    # New rows get new ids after a restore (PostgreSQL's sequences were moved past the restored rows).
    before = Mark.history.order_by("-history_id").first().history_id
    set_mark(Mark.objects.get(pk=Mark.objects.get(unit__name="发改委", indicator__order=1).pk), "*", staff_user)
    assert Mark.history.order_by("-history_id").first().history_id > before
    new_case = case_services.create_case(reporter_user, _case_data("恢复后新案例"), uploads=[pdf_upload()])
    assert new_case.pk > case.pk
    assert Unit.objects.create(name="恢复后新单位", category=Unit.objects.first().category, order=999).pk


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_before_anything_is_written(
    demo_db, staff_user, reporter_user, media_root, tmp_path
):
    _office_work(staff_user, reporter_user)
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    changed_file = _rewrite(
        archive, tmp_path / "file.tar.gz", lambda n, b: b.replace(b"%%EOF", b"%%EOX") if n.startswith("media/") else b
    )
    changed_row = _rewrite(
        archive,
        tmp_path / "row.tar.gz",
        lambda n, b: b.replace("发改委".encode(), "发展委".encode(), 1) if n == DATABASE else b,
    )
    added = tmp_path / "added.tar.gz"
    with tarfile.open(archive, "r:gz") as old, tarfile.open(added, "w:gz") as new:
        for member in old:
            new.addfile(member, old.extractfile(member))
        extra = tarfile.TarInfo("media/cases/extra.pdf")
        extra.size = 4
        new.addfile(extra, io.BytesIO(b"%PDF"))
    dropped = _rewrite(archive, tmp_path / "dropped.tar.gz", lambda n, b: None if n.startswith("media/") else b)

    _empty_database_and_media(media_root, same_ids=False)
    empty = _counts()
    for bad, message in (
        (changed_file, "校验值（SHA-256）与清单不符"),
        (changed_row, "“database.jsonl”的校验值"),
        (added, "清单中没有“media/cases/extra.pdf”"),
        (dropped, "缺少“media/"),
    ):
        with pytest.raises(CommandError, match=re.escape(message)):
            _restore(bad)
        assert _counts() == empty
        assert not media_root.exists() or not any(media_root.rglob("*"))
    with pytest.raises(CommandError, match="不是本系统的备份"):
        _restore(tmp_path / "file.tar.gz.missing")
    # Sums made to match a row that points nowhere: the load fails, and is undone whole.
    first_mark = re.compile(rb'("model": "assessment.mark","pk": \d+,"fields": \{"unit": )\d+')
    dangling = _rewrite(
        archive,
        tmp_path / "dangling.tar.gz",
        lambda n, b: first_mark.sub(rb"\g<1>999999", b, count=1) if n == DATABASE else b,
    )
    with pytest.raises(CommandError, match="恢复失败：备份中的数据无法写入当前数据库"):
        _restore(_with_sums(dangling, tmp_path / "resigned.tar.gz"))
    assert _counts() == empty
    # A different file where an attachment goes: refused too, the database left empty.
    name = next(n for n in json.loads(_member(archive, MANIFEST))["members"] if n.startswith("media/"))
    clash = media_root.joinpath(*name.split("/")[1:])
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"%PDF-1.4 another file\n%%EOF\n")
    with pytest.raises(CommandError, match="附件目录中已有不同的文件"):
        _restore(archive)
    assert _counts() == empty
    assert [p for p in media_root.rglob("*") if p.is_file()] == [clash]


def test_a_database_in_use_is_refused_and_kept(staff_user, reporter_user, media_root, tmp_path):
    _office_work(staff_user, reporter_user)
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    set_mark(Mark.objects.get(unit__name="发改委", indicator__scheme__year=2019, indicator__order=1), "*", staff_user)
    counts, marks = _counts(), dict(Mark.objects.values_list("pk", "state"))
    with pytest.raises(CommandError, match="数据库中已有数据（.*），恢复未执行"):
        _restore(archive)
    assert _counts() == counts and dict(Mark.objects.values_list("pk", "state")) == marks


def test_an_archive_of_another_schema_is_refused(db, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)

    def newer(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"].append(["assessment", "9999_from_the_future"])
        return json.dumps(manifest).encode()

    newer_archive = _rewrite(archive, tmp_path / "newer.tar.gz", newer)
    with pytest.raises(CommandError, match="请先运行 migrate"):
        _restore(_with_sums(newer_archive, tmp_path / "newer-signed.tar.gz"))


def test_backup_never_overwrites_a_file(db, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"yesterday")
    with pytest.raises(CommandError, match="已存在"):
        _backup(archive)
    assert archive.read_bytes() == b"yesterday"
    assert not list(tmp_path.glob(".backup-*"))
