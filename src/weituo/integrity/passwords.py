"""How a signing service confirms the signer: a password check that the face supplies.

Services know nothing of HTTP. A face that serves people (the web pages, the API) passes a check
that goes through Django's ``authenticate`` with its request, so that wrong passwords at signing
count toward the login lockout (``accounts.reauth.lockout_counted``); a job without a request (the
demo seed, a test) uses the stored password hash alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser

PasswordCheck = Callable[[AbstractBaseUser, str], bool]


def stored_password(user: AbstractBaseUser, password: str) -> bool:
    """The password against the stored hash, nothing counted."""
    return user.check_password(password)
