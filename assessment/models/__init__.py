"""The assessment as data: categories, units, each year's schemes and the marks.

Nothing here names a particular indicator, point value or unit: the office keeps
all of that in the database, so a new year needs no deployment. One module per concern;
every model is importable from `assessment.models` as before.
"""

from .choices import EXEMPT_STATES, EXPLAINED_STATES, DueRule, MarkState, RuleKind  # noqa: F401
from .imports import ImportKind, ImportSession  # noqa: F401
from .marks import ChangeBatch, DueOverride, Mark, MarkHistoryBase, Reporter, cell_text  # noqa: F401
from .requests import MarkRequest  # noqa: F401
from .schemes import Indicator, Note, Scheme, SchemeUnit  # noqa: F401
from .scoring import Deduction, RuleGroup  # noqa: F401
from .stored_scores import UnitYearScore  # noqa: F401
from .tallies import ColumnTally, SchemeTally, UnitPending  # noqa: F401
from .units import Category, Unit  # noqa: F401
from .years import YearEndAssessment, check_year_open, year_lock  # noqa: F401
