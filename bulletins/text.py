"""Text typed or pasted into the composer, reduced to the bulletin's plain-text format.

Articles, cases and news are plain text: one paragraph per line, headings 一、二、… on
their own line. Staff often paste from Word or a web page, so markup is turned into
line breaks and stripped with nh3 (scripts and styles go with their content); the
templates escape what remains, so the text never carries HTML to a reader.
"""

import html
import re

import nh3

# Block-level ends and line breaks of pasted HTML become paragraph breaks before stripping.
_BLOCK_END = re.compile(r"<\s*br\s*/?\s*>|</\s*(p|div|h[1-6]|li|tr|blockquote)\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _strip(text):
    text = _BLOCK_END.sub("\n", str(text or ""))
    text = html.unescape(nh3.clean(text, tags=set()))
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_body(text):
    """Plain text, one paragraph per line, no empty lines, no markup."""
    lines = (_SPACES.sub(" ", line).strip() for line in _strip(text).split("\n"))
    return "\n".join(line for line in lines if line)


def clean_line(text):
    """A single line (titles, sources): markup stripped, line breaks folded into spaces."""
    return _SPACES.sub(" ", _strip(text).replace("\n", " ")).strip()
