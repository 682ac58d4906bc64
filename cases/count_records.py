"""Cases a unit reported outside the portal (CaseCountRecord): recorded and deleted by the office.

They count in the unit's 奖惩案例 beside its accepted cases (cases.counts).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from assessment.years import require_open
from core.errors import DomainError, validation_text
from core.text import contains_script, plain_line

from .models import CaseCountRecord
from .services import check_reviewer


def add_count_record(user, *, unit, year, date, count, note, quarters):
    """Record cases a unit reported outside the portal, with the source of the number (staff).

    `quarters`: (first, last), the quarters the record covers, e.g. (1, 3) for “前三季度”, (2, 2) for one.
    """
    check_reviewer(user)
    first, last = quarters
    with transaction.atomic():
        record = CaseCountRecord(
            unit=unit,
            year=year,
            first_quarter=first,
            last_quarter=last,
            date=date,
            count=count,
            note=plain_line(note),
            created_by=user,
        )
        if contains_script(note):
            raise DomainError("说明中含有脚本或网页代码，请删除后重新填写。")
        try:
            record.full_clean()
        except ValidationError as exc:
            raise DomainError(validation_text(exc)) from exc
        record.save()
        return record


def delete_count_record(record, user):
    """Delete a record (staff), while its year is open: a closed year's counts are frozen."""
    check_reviewer(user)
    require_open(record.year)
    with transaction.atomic():
        CaseCountRecord.objects.filter(pk=record.pk).delete()
