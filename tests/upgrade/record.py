"""What the portal computes from its database, as plain JSON: the office row, every year's scores and every
issue's progress-table cells (as the cell function gives them now, and as each published version froze them).

It runs under the previous release's code too (`make_fixture.sh` writes `release.json` with it), so it reads
only what both releases have. `tests/test_upgrade.py` compares the release's record with the one the new code
makes from the upgraded database.
"""

import json


def _office():
    from django.apps import apps

    try:
        office = apps.get_model("core", "Office")  # since core/
    except LookupError:
        office = apps.get_model("assessment", "Office")  # the release's
    fields = [f.name for f in office._meta.fields if f.name not in {"id", "masthead_changed_at"}]
    return office.objects.values(*fields).get(pk=1)


def _rows(table):
    return [[row["unit"], *row["values"], row["deduction_text"]] for row in table["rows"]]


def _tables(tables):
    return [
        {"category": table["category"]["slug"], "header": table["header"], "rows": _rows(table)} for table in tables
    ]


def record():
    from assessment.scoring.live import year_scores
    from bulletins.models import Issue, IssueVersion
    from bulletins.snapshot import live_tables

    issues = list(Issue.objects.order_by("year", "number"))
    scores = {}
    for year in sorted({issue.year for issue in issues}):
        as_of = max(issue.date for issue in issues if issue.year == year)
        scores[str(year)] = {
            category.category_slug: [
                [unit.unit_name, str(unit.full_points), str(unit.deduction), str(unit.score), unit.rank]
                for unit in category.units
            ]
            for category in year_scores(year, as_of=as_of)
        }
    return {
        "office": _office(),
        "scores": scores,
        "tables": {f"{issue.year}/{issue.number}": _tables(live_tables(issue)) for issue in issues},
        "published": {
            f"{version.issue.year}/{version.issue.number}/v{version.number}": _tables(version.snapshot["tables"])
            for version in IssueVersion.objects.select_related("issue").order_by("issue__year", "issue__number")
        },
    }


def write(path):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(record(), out, ensure_ascii=False, indent=1, sort_keys=True)
        out.write("\n")
