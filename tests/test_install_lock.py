"""Installs the same everywhere: the lock files hold every package with its hashes and agree with what we ask for."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.M)


def pins(path):
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("asked", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_every_package_asked_for_is_locked_at_the_same_version(asked, lock):
    wanted = pins(ROOT / asked)
    if asked == "requirements-dev.txt":
        wanted |= pins(ROOT / "requirements.txt")
    locked = pins(ROOT / lock)
    assert {name: locked.get(name) for name in wanted} == wanted


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_has_a_hash_and_no_local_location(lock):
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 6)[-1])
    packages = [e for e in entries if PIN.match(e)]
    assert len(packages) > 20
    assert [e.split("==")[0] for e in packages if "--hash=sha256:" not in e] == []
    # Only the header's command names the options, and only as --no-emit-…: no location of this machine's pip.
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert not re.search(r"index-url|find-links|file://|extra-index", body)


def test_the_runtime_lock_is_part_of_the_development_lock():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
