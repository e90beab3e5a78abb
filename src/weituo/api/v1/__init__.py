"""Version 1 of the REST API: the ``NinjaAPI`` mounted at /api/v1, its authentication and errors."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Swagger
from ninja.renderers import JSONRenderer

from weituo.core.roles import SIDE_OF_ROLE

from .. import errors
from ..auth import BearerToken, SessionWithCsrf, actor_of
from ..schemas import OrganisationRef
from . import audits, batches, changes, contracts, quality, registry, shared_line, tech_transfer

DESCRIPTION = """\
委托生产质量管理与监督平台的接口。/ The REST API of weituo.

**Authentication.** `Authorization: Bearer <token>` (a token is created with
`weituo api token create USERNAME`), or the web session with its CSRF token in `X-CSRFToken`.
Every call acts as that user: it sees what the user may see, and a record the user may not see
is 404 whether or not it exists.

**Errors.** One body everywhere: `{"code", "message_zh", "message_en", "field", "details"}`.
400 unreadable body; 401 no or bad credentials; 403 visible but not allowed (viewer roles,
a counterparty's record, missing CSRF token, an electronic signature refused: wrong password);
404 not found or not visible; 409 a status change the transition table forbids (also a stale
`expected_version`, a release blocked by what is open, a batch already released); 422 input
refused (by the schema or by the domain rules; nothing written); 500 internal error (logged,
with a reference).

**Lists** are paginated: `page` (from 1), `page_size` (1–200), answered with
`{"count", "page", "page_size", "items"}`. Decimals are strings; dates ISO 8601.
"""


class Utf8JSON(JSONRenderer):
    """UTF-8 JSON: Chinese text as itself, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="weituo API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionWithCsrf()],
    # Served at /api/docs (see weituo.api.urls), from ninja's bundled files: no CDN, and no call to
    # the public swagger.io validator (the plants run on intranets).
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url=None,
    renderer=Utf8JSON(),
)
errors.install(api)
api.add_router("", registry.router)
api.add_router("", contracts.router)
api.add_router("", tech_transfer.router)
api.add_router("", quality.router)
api.add_router("", batches.router)
api.add_router("", changes.router)
api.add_router("", audits.router)
api.add_router("", shared_line.router)


class MembershipOut(Schema):
    role: str
    side: str
    organisation: OrganisationRef | None = None
    province: str


class TokenOut(Schema):
    prefix: str
    name: str
    expires_at: str | None = None


class MeOut(Schema):
    username: str
    full_name: str
    can_write: bool
    memberships: list[MembershipOut]
    token: TokenOut | None = None


@api.get("/me", response={200: MeOut, **errors.errors(401)}, tags=["accounts 账户"], summary="当前用户 who am I")
def me(request: HttpRequest):
    """The caller as the API sees it: its roles, and the token it used (if any)."""
    actor = actor_of(request)
    organisations = {
        o.pk: o for o in registry.selectors.organisation_list(actor=actor).filter(pk__in=actor.organisation_ids())
    }
    token = getattr(request, "api_token", None)
    return {
        "username": actor.username,
        "full_name": actor.display_name,
        "can_write": actor.can_write,
        "memberships": [
            {
                "role": m.role,
                "side": SIDE_OF_ROLE[m.role],
                "organisation": organisations.get(m.organisation_id),
                "province": m.province,
            }
            for m in actor.memberships
        ],
        "token": (
            {
                "prefix": token.prefix,
                "name": token.name,
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            }
            if token
            else None
        ),
    }
