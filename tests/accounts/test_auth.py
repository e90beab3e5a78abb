"""Authentication settings: Argon2 first, lockout after 5 failed logins (django-axes), password rules, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth import login as auth_login
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.settings import base

PASSWORD = "Correct-horse-42"


def test_argon2_is_the_first_hasher_in_the_base_settings():
    # the test settings swap in a fast hasher; what production runs is base's list
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_verifies(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = get_user_model()(username="li.xiaomei")
    user.set_password(PASSWORD)
    assert user.password.startswith("argon2$") and user.check_password(PASSWORD)


def test_axes_guards_every_login_first():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "django.contrib.auth.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert (5, timedelta(minutes=30)) == (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_sessions_expire_after_8_idle_hours_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # each request renews the expiry: an idle timeout


@pytest.mark.parametrize(
    ("password", "ok"),
    [("Sh0rt-pw!", False), ("9876543210123", False), ("password123", False), (PASSWORD, True)],
)
def test_password_validators_need_10_characters_not_common_not_numeric(password, ok):
    if ok:
        password_validation.validate_password(password)
    else:
        with pytest.raises(ValidationError):
            password_validation.validate_password(password)


def test_min_length_is_10():
    [length] = [v for v in password_validation.get_default_password_validators() if hasattr(v, "min_length")]
    assert length.min_length == 10
    with pytest.raises(ValidationError):
        password_validation.validate_password("Abcdefg-9")  # 9 characters
    password_validation.validate_password("Abcdefg-90")


# --- lockout -------------------------------------------------------------------------------------


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("li.xiaomei", password=PASSWORD, first_name="李晓梅")


def login(rf, password: str, *, username: str = "li.xiaomei", ip: str = "10.0.0.1"):
    """What a login view does: authenticate (axes counts a failure), then log in (axes clears the count)."""
    request = rf.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)
    user = authenticate(request=request, username=username, password=password)
    if user is not None:
        request.session = SessionStore()
        auth_login(request, user)
    return user


def test_five_failed_logins_lock_the_username_even_with_the_right_password(rf, user):
    for _ in range(5):
        assert login(rf, "wrong-password") is None
    assert login(rf, PASSWORD) is None  # locked
    assert login(rf, PASSWORD, ip="10.9.9.9") is None  # by username: another address does not help
    assert sum(AccessAttempt.objects.filter(username="li.xiaomei").values_list("failures_since_start", flat=True)) >= 5


def test_another_username_is_not_locked(rf, user):
    get_user_model().objects.create_user("wang.jianguo", password=PASSWORD, first_name="王建国")
    for _ in range(5):
        login(rf, "wrong-password")
    assert login(rf, PASSWORD, username="wang.jianguo") is not None


def test_four_failures_then_success_clears_the_count(rf, user):
    for _ in range(4):
        assert login(rf, "wrong-password") is None
    assert login(rf, PASSWORD) == user
    for _ in range(4):
        assert login(rf, "wrong-password") is None
    assert login(rf, PASSWORD) == user  # the count started again after the success


def test_the_lock_lifts_after_30_minutes(rf, user):
    for _ in range(5):
        login(rf, "wrong-password")
    assert login(rf, PASSWORD) is None
    AccessAttempt.objects.filter(username="li.xiaomei").update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert login(rf, PASSWORD) == user


def test_a_locked_out_login_page_answers_429(client, user):
    user.is_staff = True
    user.save()
    for _ in range(5):
        client.post("/admin/login/", {"username": "li.xiaomei", "password": "wrong-password"})
    response = client.post("/admin/login/", {"username": "li.xiaomei", "password": PASSWORD})
    assert response.status_code == 429  # the axes middleware's lockout response
    assert "_auth_user_id" not in client.session
