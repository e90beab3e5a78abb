"""Who is acting: a user with their memberships, or the system itself (a command-line job).

Services and selectors take an ``Actor``, never a bare user id, so that the ledger can name who
acted and the visibility policy can decide what they see. A system actor names its purpose
("demo seed 1", "import registry.xlsx by root"), so even unattended writes are attributable.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from .roles import SIDE_OF_ROLE, WRITER_ROLES, Side


@dataclass(frozen=True)
class MembershipView:
    role: str
    organisation_id: int | None  # None for regulators and the platform admin
    province: str = ""  # a regulator's province (GB/T 2260 code)

    @property
    def side(self) -> str:
        return SIDE_OF_ROLE[self.role]


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    memberships: tuple[MembershipView, ...] = field(default=())
    system: bool = False

    @property
    def label(self) -> str:
        """How the ledger and the trail name this actor."""
        if self.system:
            return f"system:{self.username}"
        return f"{self.username}（{self.display_name}）" if self.display_name else self.username

    def organisation_ids(self, side: str | None = None) -> set[int]:
        return {
            m.organisation_id
            for m in self.memberships
            if m.organisation_id is not None and (side is None or m.side == side)
        }

    @property
    def provinces(self) -> set[str]:
        return {m.province for m in self.memberships if m.side == Side.REGULATOR and m.province}

    @property
    def is_platform_admin(self) -> bool:
        return any(m.side == Side.PLATFORM for m in self.memberships)

    @property
    def can_write(self) -> bool:
        return self.system or any(m.role in WRITER_ROLES for m in self.memberships)

    def writes_in(self, organisation_id: int | None, side: str | None = None) -> bool:
        """Whether the actor holds a writer role in that organisation (on that side, if given).

        A writer role held elsewhere does not count: a QA at one MAH who is a viewer at another
        may not change the other's records.
        """
        return organisation_id is not None and any(
            m.organisation_id == organisation_id and m.role in WRITER_ROLES and (side is None or m.side == side)
            for m in self.memberships
        )

    def writer_organisations(self, side: str | None = None) -> set[int]:
        """The organisations where the actor holds a writer role (on that side, if given)."""
        return {
            m.organisation_id
            for m in self.memberships
            if m.organisation_id is not None and m.role in WRITER_ROLES and (side is None or m.side == side)
        }

    @property
    def writes_anywhere(self) -> bool:
        """The system and the platform admin act for any organisation (naming it)."""
        return self.system or self.is_platform_admin


def system_actor(purpose: str) -> Actor:
    """The actor of a command-line or scheduled job, naming what it does and which OS user ran it."""
    try:
        who = getpass.getuser()
    except Exception:  # no login name in some containers; the purpose still identifies the job
        who = "unknown"
    return Actor(user_id=None, username=f"{purpose} (os user {who})", display_name="", system=True)
