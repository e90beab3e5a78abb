"""Fixtures of the quality tests: the world of ``world.py``, with files written to a temporary directory."""

from __future__ import annotations

import pytest

from .world import World, build_world


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()
