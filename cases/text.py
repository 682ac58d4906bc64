"""Case text is plain paragraphs: pasted rich text is flattened with nh3, scripts are refused."""

import html
import re

import nh3

# Tags that end a paragraph when rich text (a web page, a Word paste) is flattened.
_BREAKS = re.compile(r"<\s*(?:br\s*/?|/\s*(?:p|div|li|h[1-6]|tr|blockquote))\s*>", re.IGNORECASE)
# Anything that would run in a browser if it were ever rendered unescaped.
_SCRIPT = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|style|svg|math|link|meta|base|form)\b"
    r"|<[^>]*\son[a-z]+\s*="
    r"|(?:java|vb)script\s*:",
    re.IGNORECASE,
)


def contains_script(text):
    """True when the text holds a script or active HTML, as written or once its entities are decoded."""
    if not text:
        return False
    return bool(_SCRIPT.search(text) or _SCRIPT.search(html.unescape(text)))


def plain_paragraphs(text):
    """The text as plain paragraphs, one per line: tags stripped (nh3), entities decoded, blank lines dropped.

    The result is stored as plain text and escaped when rendered, so decoding `&lt;` back to `<` is safe.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text or "&" in text:
        text = html.unescape(nh3.clean(_BREAKS.sub("\n", text), tags=set()))
    lines = (" ".join(line.split()) if line.strip() else "" for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def plain_line(text):
    """A one-line field (title, subject): tags stripped, whitespace collapsed."""
    return " ".join(plain_paragraphs(text).split())
