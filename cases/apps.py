from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "奖惩案例"

    def ready(self):
        from assessment import derived

        from .counts import CaseCounts

        # The 奖惩案例 column of the progress tables is counted from the case records (assessment.cells).
        derived.register(CaseCounts())

        # Its numbers are read from the stored counts, kept true on every save and delete of a case.
        from . import stored_counts

        stored_counts.watch()

        # Accepted cases, offline counts and each column's duty change the stored scores (assessment.scoring.stored).
        from assessment.models import Indicator
        from assessment.scoring import stored

        from .models import Case, CaseCountRecord, CaseDuty

        def scheme_of_indicator(indicator_id):  # none when the column goes first (a scheme deleted)
            return Indicator.objects.filter(pk=indicator_id).values_list("scheme_id", flat=True)

        stored.watch(Case, units=lambda case: [case.source_unit_id], moves=True)
        stored.watch(CaseCountRecord, units=lambda record: [record.unit_id], moves=True)
        stored.watch(CaseDuty, schemes=lambda duty: scheme_of_indicator(duty.indicator_id), moves=True)

        # 待办 (assessment.todo): cases to review for the office, returned cases for their unit.
        from . import todo

        todo.register_all()

        # The digest (a lower layer) learns about cases from here; it never imports this app.
        from assessment.notify.digests import register_digest_source

        from .digest import case_changes

        register_digest_source(case_changes)

        # How many cases a quarter demands is part of a year's scheme: copied to a new year, carried by the
        # scheme workbook and JSON (assessment.scheme_fields).
        from assessment import scheme_fields

        scheme_fields.register(
            scheme_fields.Part(
                CaseDuty,
                "indicator",
                ("per_quarter",),
                {"id": scheme_fields.ID, "indicator": "所属考核指标：新年度的同一列"},
            )
        )
