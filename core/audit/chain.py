"""The audit log's hash chain: every entry is tamper-evident, and so is the log as a whole.

Each entry holds its place in the chain (`seq`, 1, 2, 3 … without gaps), the previous entry's hash and its own:
HMAC-SHA256, keyed with `settings.AUDIT_KEY`, over the previous hash and a canonical serialisation of its fields.
The chain's head (`AuditChainHead`, one row) holds the last place and hash, written in the same transaction as
the entry. `verify()` walks the chain and names the first broken link: a changed entry (its hash no longer
matches), a deleted one (a gap in the places, or the head beyond the last entry), an inserted or forged one (a
hash that only the key could have made, a link to the wrong predecessor, an entry beyond the head), a truncated
log (a head but no entries).

Writers take the head in turn: on PostgreSQL a transaction-level advisory lock (no privilege needed, held until
the entry's transaction ends), on SQLite the database's single writer; two entries never chain to one parent,
and the unique place refuses it if they tried.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

GENESIS = "0" * 64  # the "previous hash" of the first entry
LOCK_ID = 0x6B63_6175_6469_7431  # pg_advisory_xact_lock's key for the chain ("kcaudit1")
FIELDS = ("at", "actor_id", "actor_name", "ip", "action", "object_type", "object_id", "object_text", "result", "detail")


def canonical(entry):
    """The entry's content as bytes, the same before it is written and after it is read back (time in UTC to the
    microsecond, the address in its normal form)."""
    values = {name: getattr(entry, name) for name in FIELDS}
    values["at"] = values["at"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    values["seq"] = entry.seq
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry, prev_hash):
    """HMAC-SHA256 (hex) of the previous hash and the entry's content."""
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical(entry), hashlib.sha256).hexdigest()


def normal_ip(ip):
    """The address as the database gives it back (PostgreSQL's inet prints the short form)."""
    return str(ipaddress.ip_address(ip)) if ip else None


def append(entry, save):
    """Write a new entry as the chain's next link: `save()` inserts the row (the model's own save)."""
    from .models import AuditChainHead

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        head = AuditChainHead.objects.first()
        entry.ip = normal_ip(entry.ip)
        entry.seq = (head.seq if head else 0) + 1
        entry.prev_hash = head.hash if head else GENESIS
        entry.hash = entry_hash(entry, entry.prev_hash)
        save()
        if head is None:
            AuditChainHead.objects.create(seq=entry.seq, hash=entry.hash, at=entry.at)
        else:
            AuditChainHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash, at=entry.at)


@dataclass(frozen=True)
class Break:
    """The first broken link: the entry's place (`seq`, None for the log as a whole) and what is wrong (Chinese)."""

    seq: int | None
    message: str


@dataclass(frozen=True)
class Report:
    """The chain as found: how many entries were checked, the head, and the first break (None: intact)."""

    checked: int
    head_seq: int
    head_hash: str
    broken: Break | None


def _describe(entry):
    at = timezone.localtime(entry.at)
    return f"第 {entry.seq} 条（编号 {entry.pk}，{at:%Y-%m-%d %H:%M:%S}，{entry.actor_label} {entry.action_label}）"


def verify():
    """Walk the chain from the first entry to the head; returns a `Report` naming the first broken link."""
    from .models import AuditChainHead, AuditEntry

    head = AuditChainHead.objects.first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    expected_seq, prev_hash, checked, previous = 1, GENESIS, 0, None

    def report(seq, message):
        return Report(checked, head_seq, head_hash, Break(seq, message))

    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq is None:
            return report(None, f"编号 {entry.pk} 的记录不在链中（没有链序号）：为绕过程序插入的记录。")
        if entry.seq < expected_seq:  # the unique constraint was dropped to insert it
            return report(entry.seq, f"链序号 {entry.seq} 出现不止一次：有记录被插入。")
        if entry.seq > expected_seq:
            missing = (
                f"第 {expected_seq} 条"
                if entry.seq == expected_seq + 1
                else f"第 {expected_seq} 至 {entry.seq - 1} 条（共 {entry.seq - expected_seq} 条）"
            )
            after = f"{_describe(previous)}之后" if previous else "链首"
            return report(expected_seq, f"{after}的{missing}记录缺失：被删除。")
        if entry.prev_hash != prev_hash:
            return report(entry.seq, f"{_describe(entry)}与前一条的链接不符：前一条被替换，或这一条是插入的记录。")
        if entry.hash != entry_hash(entry, prev_hash):
            return report(entry.seq, f"{_describe(entry)}的内容与校验值不符：被修改，或为伪造的记录。")
        if head is None:
            return report(entry.seq, f"链头记录缺失（被删除），日志却有{_describe(entry)}等记录。")
        if entry.seq > head_seq:
            return report(
                entry.seq, f"{_describe(entry)}在链头（第 {head_seq} 条）之后：链头被改回，或这一条是插入的记录。"
            )
        expected_seq, prev_hash, previous, checked = entry.seq + 1, entry.hash, entry, checked + 1

    if head is None:
        return Report(checked, 0, GENESIS, None)  # an empty log that never had an entry
    if checked == 0:
        return report(None, f"审计日志为空，但链头记录着 {head_seq} 条：日志被清空（截断）。")
    if previous.seq < head_seq:
        return report(
            previous.seq + 1,
            f"最后的第 {previous.seq + 1} 至 {head_seq} 条记录缺失（链头记录着 {head_seq} 条，"
            f"日志只到{_describe(previous)}）：被删除或截断。",
        )
    if previous.hash != head_hash:
        return report(previous.seq, f"{_describe(previous)}与链头的校验值不符：最后一条被替换，或链头被改写。")
    return Report(checked, head_seq, head_hash, None)
