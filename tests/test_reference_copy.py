"""The printed issue the tests compare with is the shared reference, byte for byte."""

import pytest

from .reference import REFERENCE, SHARED_REFERENCE


def test_the_copy_in_tests_data_is_the_shared_reference():
    if not SHARED_REFERENCE.exists():
        pytest.skip("../shared/reference is not beside this checkout (a fresh clone): the copy stands alone")
    assert REFERENCE.read_bytes() == SHARED_REFERENCE.read_bytes()


def test_the_copy_is_the_printed_issue():
    text = REFERENCE.read_text(encoding="utf-8")
    assert "昆山信用体系建设" in text and "第 11 期" in text and "消防大队" in text
