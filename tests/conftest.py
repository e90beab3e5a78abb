"""Fixtures shared by the whole test suite.

App-specific fixtures and factories live beside the tests of each app; only what every part of
the suite needs belongs here.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def tmp_data_dir(tmp_path: Path, settings) -> Path:
    """A fresh directory for files the code under test writes: ``settings.MEDIA_ROOT`` points to it."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
