"""The whole page of a published issue for readers who are not signed in, made once per version.

A published version never changes, and a reader who is not signed in sees no name, no menu of
their own and no form with a CSRF token, so that reader's page is the same bytes for everyone:
it is rendered on the first read and kept, each version its own. Every later read is one small
query (which version is the issue's current one, so a correction shows at once) and a lookup.

Which version is an issue's current one is asked of the database at most every CURRENT_SECONDS by each
process (and at once after an issue is saved in it): a correction published through another server reaches
readers there within those seconds, and a read costs no query at all.

Kept twice: in the shared cache (every server process and a restart find it) and, because a
version's page cannot change under its key, in a small memory of each process in front of it,
so a read does not even fetch the page from Redis or the cache table. The key also names what
the page is wrapped in and which may change without a new version: the layout below, the static
files' manifest (a deploy), the office's names (`core.office.models.Office`) and how many rows a page of a long
table holds (`bulletins.published`).
"""

import hashlib
import time
from collections import OrderedDict
from threading import Lock

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from core.office.models import office_stamp

from .models import Issue

# Bump when templates/base.html or bulletins/issue_detail.html change what a reader sees.
LAYOUT = 1
# Pages kept in each process's memory, by total size: a province issue is about 0.6 MB.
LOCAL_BYTES = 32 * 1024 * 1024
# How long a process trusts what it last read of an issue's current version.
CURRENT_SECONDS = 5


class _LocalPages:
    """A byte-bounded LRU of page bodies in this process (safe: a key's body never changes)."""

    def __init__(self, limit):
        self.limit, self.size, self.items, self.lock = limit, 0, OrderedDict(), Lock()

    def get(self, key):
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key, body):
        if len(body) > self.limit:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.items.clear()
            self.size = 0


local_pages = _LocalPages(LOCAL_BYTES)


_current = {}  # what a URL names -> ((version pk, published at) or None, when it was read)
_current_lock = Lock()


def current_version(name, published):
    """(pk, published_at) of the current version of the issue `name` stands for, or None if none is published.

    published: the published issues the URL may name, filtered (and ordered) to the one it names.
    """
    now = time.monotonic()
    with _current_lock:
        known = _current.get(name)
    if known is not None and now - known[1] < CURRENT_SECONDS:
        return known[0]
    version = published.values_list("current_version_id", "current_version__published_at").first()
    with _current_lock:
        _current[name] = (version, now)
    return version


def forget_all():
    """Ask the database again on the next read of any issue."""
    with _current_lock:
        _current.clear()


def forget_versions(**kwargs):
    """An issue was saved or deleted in this process: ask the database again on the next read, and again once
    the change is committed (a read in between still saw the version before it)."""
    forget_all()
    transaction.on_commit(forget_all)


post_save.connect(forget_versions, sender=Issue, weak=False, dispatch_uid="kc_reader_pages_issue_saved")
post_delete.connect(forget_versions, sender=Issue, weak=False, dispatch_uid="kc_reader_pages_issue_deleted")


def _static_stamp():
    # ManifestStaticFilesStorage names each file by its content; a deploy with new files changes the
    # manifest and so every stored page (which names those files). Plain storage (tests) has no manifest.
    return getattr(staticfiles_storage, "manifest_hash", "") or ""


def page_key(version, path):
    """The stored page's key: the version (with its publication time), the URL and what wraps it."""
    wrap = f"{_static_stamp()}|{office_stamp()}|{settings.BULLETIN_TABLE_PAGE_ROWS}|{path}"
    stamp = hashlib.blake2b(wrap.encode(), digest_size=8).hexdigest()
    return f"bulletins:reader-page:{LAYOUT}:{version[0]}:{version[1]:%Y%m%d%H%M%S%f}:{stamp}"


def can_store(request):
    """Only a reader who is not signed in and has no message waiting gets (and makes) the stored page."""
    return not request.user.is_authenticated and not len(get_messages(request))


def _http_headers(response, key, version):
    """What lets a browser or nginx keep the page: a strong ETag of its key (a new version, layout, deploy or
    office name is a new one), its version's publication as Last-Modified, and CURRENT_SECONDS of freshness, the
    same few seconds in which a correction made through another server reaches its readers anyway."""
    response["ETag"] = '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'
    response["Last-Modified"] = http_date(version[1].timestamp())
    response["Cache-Control"] = f"public, max-age={CURRENT_SECONDS}"
    return response


def stored(request, version):
    """The stored page of `version` (its (pk, published_at)) for this request, or None; a 304 for a reader who
    already has it (If-None-Match / If-Modified-Since)."""
    key = page_key(version, request.path)
    body = local_pages.get(key)
    if body is None:
        body = cache.get(key)
        if body is None:
            return None
        local_pages.put(key, body)
    response = _http_headers(HttpResponse(body), key, version)
    # The response itself, or a 304 carrying its ETag, Last-Modified and Cache-Control.
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=int(version[1].timestamp()), response=response
    )


def store(request, version, response):
    """Keep a rendered reader's page (a 200 only) for every later reader of the version."""
    if response.status_code == 200:
        key = page_key(version, request.path)
        body = bytes(response.content)
        cache.set(key, body, None)
        local_pages.put(key, body)
        _http_headers(response, key, version)
    return response
