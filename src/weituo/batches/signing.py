"""The signing window of a release: when the signer was shown what they sign.

A QP reviews the release package and re-enters the password; past ``WEITUO_SIGNING_WINDOW_SECONDS``
(one setting, five minutes by default) that review is stale — the package or its blockers may have
changed — and the release service refuses the signature (``signing_expired``). Every face obtains a
signing token when it shows the package (the web's signing page, the API's ``…/signing``) and
passes it with the signature; the service reads the time from it. The token is signed by the
server and bound to the batch, the step and the signer, so it cannot be forged, backdated or carried
to another release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from weituo.core.actors import Actor

from .models import Batch

SALT = "weituo.batches.release-signing"
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # the time of a missing, forged or foreign token


def signing_window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WEITUO_SIGNING_WINDOW_SECONDS)


@dataclass(frozen=True)
class SigningSession:
    token: str
    started_at: dt.datetime
    expires_at: dt.datetime


def _payload(actor: Actor, batch: Batch, step: str) -> str:
    return f"{batch.pk}:{step}:{actor.user_id}"


def open_session(actor: Actor, batch: Batch, step: str) -> SigningSession:
    """A token stamped now, for ``actor`` signing ``step`` of ``batch``."""
    signer = signing.TimestampSigner(salt=SALT)
    token = signer.sign(_payload(actor, batch, step))
    started = started_at(token, actor, batch, step)
    return SigningSession(token=token, started_at=started, expires_at=started + signing_window())


def started_at(token: str, actor: Actor, batch: Batch, step: str) -> dt.datetime:
    """When the session of ``token`` began; ``NEVER`` for a token not issued for this signature."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        # The base Signer's unsign checks the signature and returns "payload:timestamp" untouched.
        payload, stamp = signing.Signer.unsign(signer, token or "").rsplit(signer.sep, 1)
        if payload != _payload(actor, batch, step):
            return NEVER
        return dt.datetime.fromtimestamp(signing.b62_decode(stamp), tz=dt.UTC)
    except (signing.BadSignature, ValueError):
        return NEVER
