"""Fixtures of the batch tests: the world of ``tests/quality/world.py``, files in a temporary directory."""

from __future__ import annotations

import pytest

from tests.quality.world import World, build_world


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()
