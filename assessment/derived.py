"""Cells that nobody types: the registry of derivations (e.g. 奖惩案例 counted from the case records).

The assessment layer knows that some columns are derived, not how: a higher app (cases) registers a
`Derivation` from its `AppConfig.ready`, so dependencies keep pointing one way. Every reader of a cell
(assessment.cells) and every writer (Indicator.check_value, so the service, the admin, imports and the API)
asks this registry, which is why a derived number is refused the same way on every path.
"""

DERIVED_MESSAGE = "“{title}”一栏由{source}自动统计，不能直接填写数量。"

_derivations = []


class Derivation:
    """What a higher app registers: which columns it derives, their numbers, and the shortfalls scoring counts.

    Subclasses implement `applies`, `counts`, `number_sql` and (when a rule deducts for what is missing)
    `shortfalls`.
    """

    #: How the column's numbers come about, in the interface's words ("奖惩案例记录").
    source = ""

    def applies(self, indicator):
        """Whether this derivation gives `indicator`'s numbers."""
        raise NotImplementedError

    def read(self, year, unit_ids=None):
        """What `counts` and `shortfalls` compute from for every unit of `year` (of `unit_ids` only, when given),
        read once (see Readings)."""
        return None

    def counts(self, year, indicators, unit_ids=None, reading=None):
        """{(unit id, indicator id): number} for the given indicators of `year` (a fixed number of queries).

        `reading`: this derivation's `read(year)` when the caller has it (then no query).
        """
        raise NotImplementedError

    def number_sql(self, year):
        """(SQL, params) of `SELECT counted_unit, n`: each unit's number in `year` with one (the same as `counts`), so
        the database joins the numbers to a column's units (assessment.derived_columns)."""
        raise NotImplementedError

    def shortfalls(self, year, indicator, as_of, unit_ids=None, reading=None):
        """{(unit id, indicator id): [(label, missing), …]}: what a per-occurrence rule deducts as of `as_of`."""
        return {}


class Readings:
    """The derivations' readings of one computation, each read once (`Derivation.read`).

    A page that shows the derived cells and scores their shortfalls (the scores page) passes one
    Readings to both, so the cases are counted once, not once for the cells and once for scoring.
    `unit_ids`: the computation is about these units only (a page of the ranking): only theirs are read.
    """

    def __init__(self, unit_ids=None):
        self._read = {}
        self.unit_ids = None if unit_ids is None else list(unit_ids)

    def of(self, derivation, year):
        key = (type(derivation), year)
        if key not in self._read:
            self._read[key] = derivation.read(year, self.unit_ids)
        return self._read[key]


def register(derivation):
    """Called from an AppConfig.ready; registering the same derivation twice keeps one."""
    if all(type(d) is not type(derivation) for d in _derivations):
        _derivations.append(derivation)


def derivation_for(indicator):
    """The Derivation giving this column's numbers, or None for a column that is typed in."""
    if not indicator.accepts_count:
        return None
    return next((d for d in _derivations if d.applies(indicator)), None)


def is_derived(indicator):
    return derivation_for(indicator) is not None


def derived_message(indicator):
    derivation = derivation_for(indicator)
    return DERIVED_MESSAGE.format(title=indicator.title, source=derivation.source if derivation else "记录")
