"""``weituo api token create USERNAME [--days N] [--name TEXT] | revoke ID [--reason TEXT] | list [USERNAME]``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from weituo.api.models import ApiToken
from weituo.api.selectors import api_token_list
from weituo.api.services import DEFAULT_DAYS, MAX_DAYS, api_token_create, api_token_revoke
from weituo.core.actors import system_actor
from weituo.core.errors import ApplicationError


class Command(BaseCommand):
    help = "接口令牌：创建、撤销、列出 / REST API tokens: create, revoke, list"

    def add_arguments(self, parser):
        what = parser.add_subparsers(dest="what", required=True)
        token = what.add_parser("token", help="接口令牌 / API tokens")
        actions = token.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="为用户创建令牌 / create a token for a user")
        create.add_argument("username")
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"有效天数 / days of validity (1–{MAX_DAYS}, default {DEFAULT_DAYS})",
        )
        create.add_argument("--name", default="", help="用途，如调用方系统 / what it is for (the calling system)")
        revoke = actions.add_parser("revoke", help="撤销令牌 / revoke a token")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--reason", default="", help="撤销原因 / why (for the audit trail)")
        listing = actions.add_parser("list", help="列出令牌 / list tokens")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, what: str, action: str, **options):
        try:
            if action == "create":
                self._create(options["username"], options["days"], options["name"])
            elif action == "revoke":
                self._revoke(options["id"], options["reason"])
            else:
                self._list(options.get("username"))
        except ApplicationError as e:
            raise CommandError(str(e)) from None

    def _user(self, username: str):
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"无此用户 / no such user: {username}") from None

    def _create(self, username: str, days: int, name: str) -> None:
        user = self._user(username)
        issued = api_token_create(
            actor=system_actor(f"api token create for {username}"), user=user, name=name, days=days
        )
        token = issued.token
        until = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M %Z") if token.expires_at else "—"
        self.stdout.write(f"令牌编号 token id: {token.pk}  用户 user: {username}  有效期至 expires: {until}")
        self.stdout.write("令牌只显示这一次，请妥善保存 / the token is shown this once only; keep it safe:")
        self.stdout.write(issued.secret)

    def _revoke(self, pk: int, reason: str) -> None:
        try:
            token = ApiToken.objects.get(pk=pk)
        except ApiToken.DoesNotExist:
            raise CommandError(f"无此令牌 / no such token: {pk}") from None
        token = api_token_revoke(actor=system_actor(f"api token revoke {pk}"), token=token, reason=reason)
        when = timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"已撤销 / revoked: token {token.pk} ({token.prefix}…) of {token.user}, at {when}")

    def _list(self, username: str | None) -> None:
        actor = system_actor("api token list")
        tokens = api_token_list(actor=actor, user=self._user(username) if username else None)
        now = timezone.now()
        for t in tokens:
            expires = timezone.localtime(t.expires_at).strftime("%Y-%m-%d") if t.expires_at else "—"
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "—"
            self.stdout.write(
                f"{t.pk:>5}  {t.prefix}…  {t.user.get_username():<20} {t.state(now):<8} "
                f"expires {expires}  last used {used}  {t.name}"
            )
