"""Text a spreadsheet would run, made inert: the one rule every export (Excel and CSV) applies to its cells.

A cell whose text begins with `=`, `+`, `-` or `@` is read by Excel, WPS and LibreOffice as a formula
(`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`), and one beginning with a tab or a carriage return is read the same
after the spreadsheet trims it. Such text can come from anyone who types a name: an indicator's title, a
unit's name, a login name typed at the login page. It is written with a leading apostrophe, as OWASP's "CSV
injection" advice has it: the reader sees the text, and the spreadsheet keeps it as text.

Only text is changed: a number (a negative one included) stays a number, a date a date. A workbook the
portal wrote and the office imports back reads as it was written: `restored` drops the apostrophe again.
"""

# The characters a spreadsheet takes as the start of a formula, and the whitespace it trims before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """`value`, with text that would run as a formula prefixed by an apostrophe; anything else unchanged."""
    if type(value) is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values):
    """A row of cells made inert (see `inert`), as a list."""
    return [inert(value) for value in values]


def restored(text):
    """Text read back from a workbook the portal wrote: the apostrophe `inert` added dropped again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
