"""The trail names the people a record names: by their full name, or by their username when they
have none (an account made in the admin or by an import), never by a database id."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy

from tests.quality.world import build_world
from weituo.core.i18n import zh
from weituo.web.trail import _Names


@pytest.mark.django_db
def test_a_user_is_named_by_full_name_else_by_username(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    user_model = get_user_model()
    without = user_model.objects.create(username="no.full.name")
    named = user_model.objects.get(pk=world.cmo_qa.user_id)

    names = _Names(world.mah_qa)
    names.want(user_model, [without.pk, named.pk])
    names.load()

    assert names.name(user_model, without.pk) == "no.full.name"
    assert names.name(user_model, named.pk) == world.cmo_qa.display_name == "赵敏"
    with translation.override("zh-hans"):
        hidden = names.name(user_model, 999_999)  # no such user: the id is not shown
    assert hidden == zh(gettext_lazy("(not shown)")) and "999" not in hidden
