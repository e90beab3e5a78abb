"""The password check the web pages and the API hand to signing services (``integrity.passwords``):
through ``authenticate`` with the request, so a wrong password at signing counts toward the login
lockout (django-axes) like a failed login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from weituo.core.i18n import detail, messages
from weituo.integrity.passwords import PasswordCheck
from weituo.integrity.services import SignatureRefused


def lockout_counted(request: HttpRequest) -> PasswordCheck:
    def check(user: AbstractBaseUser, password: str) -> bool:
        signed_in = authenticate(request=request, username=user.get_username(), password=password)
        return signed_in is not None and signed_in.pk == user.pk

    return check


def locked_out_error() -> SignatureRefused:
    """The refusal of a signature whose wrong password locked the signer's account (django-axes
    counts wrong passwords at signing with failed logins): the same words on a page and in the API."""
    message = gettext_lazy(
        "account locked after %(limit)d wrong passwords; signature refused. Try again after %(minutes)d "
        "minutes or ask the platform admin"
    )
    params = {"limit": settings.AXES_FAILURE_LIMIT, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return SignatureRefused(
        code="signature_locked_out",
        **messages(message, **params),
        details=[detail(message, field="password", **params)],
    )
