"""``weituo api token create USERNAME [--days N] [--name TEXT] | revoke ID [--reason TEXT] | list [USERNAME]``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from weituo.api.models import ApiToken
from weituo.api.selectors import api_token_list
from weituo.api.services import DEFAULT_DAYS, MAX_DAYS, api_token_create, api_token_revoke
from weituo.core.actors import system_actor
from weituo.core.commands import Command as WeituoCommand
from weituo.core.commands import command_error
from weituo.core.errors import ApplicationError

STATES = {"active": gettext_lazy("active"), "expired": gettext_lazy("expired"), "revoked": gettext_lazy("revoked")}


class Command(WeituoCommand):
    help = gettext_lazy("REST API tokens: create, revoke, list")

    def add_arguments(self, parser):
        what = parser.add_subparsers(dest="what", required=True)
        token = what.add_parser("token", help=gettext_lazy("API tokens"))
        actions = token.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help=gettext_lazy("create a token for a user"))
        create.add_argument("username")
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            # the parser is built in the command's language (weituo.core.commands): gettext, not lazy
            help=gettext("days of validity (1–%(max)d, default %(default)d)")
            % {"max": MAX_DAYS, "default": DEFAULT_DAYS},
        )
        create.add_argument("--name", default="", help=gettext_lazy("what it is for (the calling system)"))
        revoke = actions.add_parser("revoke", help=gettext_lazy("revoke a token"))
        revoke.add_argument("id", type=int)
        revoke.add_argument("--reason", default="", help=gettext_lazy("why (for the audit trail)"))
        listing = actions.add_parser("list", help=gettext_lazy("list tokens"))
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
            raise command_error(e) from None

    def _user(self, username: str):
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(gettext("no such user: %(username)s") % {"username": username}) from None

    def _create(self, username: str, days: int, name: str) -> None:
        user = self._user(username)
        issued = api_token_create(
            actor=system_actor(f"api token create for {username}"), user=user, name=name, days=days
        )
        token = issued.token
        until = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M %Z") if token.expires_at else "—"
        self.stdout.write(
            gettext("token id: %(id)s  user: %(username)s  expires: %(until)s")
            % {"id": token.pk, "username": username, "until": until}
        )
        self.stdout.write(gettext("the token is shown this once only; keep it safe:"))
        self.stdout.write(issued.secret)

    def _revoke(self, pk: int, reason: str) -> None:
        try:
            token = ApiToken.objects.get(pk=pk)
        except ApiToken.DoesNotExist:
            raise CommandError(gettext("no such token: %(id)s") % {"id": pk}) from None
        token = api_token_revoke(actor=system_actor(f"api token revoke {pk}"), token=token, reason=reason)
        when = timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(
            gettext("revoked: token %(id)s (%(prefix)s…) of %(user)s, at %(when)s")
            % {"id": token.pk, "prefix": token.prefix, "user": token.user, "when": when}
        )

    def _list(self, username: str | None) -> None:
        actor = system_actor("api token list")
        tokens = api_token_list(actor=actor, user=self._user(username) if username else None)
        now = timezone.now()
        for t in tokens:
            expires = timezone.localtime(t.expires_at).strftime("%Y-%m-%d") if t.expires_at else "—"
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "—"
            state = t.state(now)
            self.stdout.write(
                f"{t.pk:>5}  {t.prefix}…  {t.user.get_username():<20} {STATES.get(state, state)!s:<8} "
                + gettext("expires %(expires)s  last used %(used)s") % {"expires": expires, "used": used}
                + f"  {t.name}"
            )
