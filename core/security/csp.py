"""The Content-Security-Policy where a library writes inline styles: allowed by hash, on that page only."""

import base64
import hashlib
import html as html_lib
import re

from rest_framework import renderers

_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.S)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def style_hashes(page):
    """CSP hash sources for the page's own <style> blocks and style="" attributes (markup, never escaped data:
    text from the data is escaped, so it cannot form either)."""
    blocks = _STYLE_ELEMENT.findall(page)
    attributes = [html_lib.unescape(value) for value in _STYLE_ATTRIBUTE.findall(page)]
    digests = {base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() for text in blocks + attributes}
    return [f"'sha256-{digest}'" for digest in sorted(digests)]


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API (/api/v1/… in a browser): its code-highlighting block and a few float styles are
    inline; they are allowed by their hashes for that response, scripts stay as strict as everywhere."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        page = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        hashes = style_hashes(page if isinstance(page, str) else page.decode())
        if response is not None and hashes:
            response._csp_update = {"style-src": ["'unsafe-hashes'", *hashes]}
        return page
