"""The password check the web pages and the API hand to signing services (``integrity.passwords``):
through ``authenticate`` with the request, so a wrong password at signing counts toward the login
lockout (django-axes) like a failed login."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from weituo.integrity.passwords import PasswordCheck


def lockout_counted(request: HttpRequest) -> PasswordCheck:
    def check(user: AbstractBaseUser, password: str) -> bool:
        signed_in = authenticate(request=request, username=user.get_username(), password=password)
        return signed_in is not None and signed_in.pk == user.pk

    return check
