"""The printed issue read independently of the demo data files.

Tests compare the page and the workbook with this, so a mistake in the demo JSON
shows up as a difference from the printed bulletin rather than being copied into both.
The text is a copy of ../shared/reference/bulletin-2019-issue-11.txt kept in tests/data, so the
suite runs from a fresh clone with nothing beside it; tests/test_reference_copy.py checks that
the copy equals the shared original wherever that exists.
"""

import os
import re
from functools import cache
from pathlib import Path

from django.conf import settings

SHARED_REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "bulletin-2019-issue-11.txt"
REFERENCE = Path(os.environ.get("KC_REFERENCE", Path(__file__).parent / "data" / "bulletin-2019-issue-11.txt"))
CATEGORIES = ("区镇", "城市管理办事处", "部门")


def fix(text):
    """Undo the extraction's artefacts (see shared/domain.md)."""
    return text.replace(" and ", "和").replace("{2019}", "〔2019〕")


def squash(text):
    """Compare text as printed, ignoring the extraction's spacing and paren widths."""
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）").replace(",", "，").replace(":", "：")


@cache
def lines():
    return [fix(line.rstrip("\r\n")) for line in REFERENCE.read_text(encoding="utf-8").splitlines()]


@cache
def tables():
    """{category: {"header": [...], "rows": [[...]], "notes": [...]}} as printed."""
    result, current, in_notes = {}, None, False
    for line in lines():
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            if cells[0] in CATEGORIES:
                current = result.setdefault(cells[0], {"header": cells, "rows": [], "notes": []})
            else:
                current["rows"].append(cells)
            in_notes = False
        elif line.startswith("说明"):
            in_notes = True
        elif in_notes and (m := re.match(r"(\d+)\.\s*(.*)", line)):
            current["notes"].append((int(m[1]), m[2].strip()))
        elif line.startswith("报："):
            in_notes = False
    return result


@cache
def text_lines():
    """Every non-blank printed line in order, without the repeated table headers of page breaks."""
    seen_headers, out = set(), []
    for line in lines():
        if not line.strip():
            continue
        first = line.split("\t")[0].strip()
        if "\t" in line and first in CATEGORIES:
            if first in seen_headers:
                continue
            seen_headers.add(first)
        out.append(line.strip().removeprefix("- "))
    return out
