"""《生物制品分段生产试点工作方案》 (国家药监局，2024年10月21日印发) — the biologics segmented-production pilot.

A work plan, not a numbered notice; its id here is ``2024-bio-pilot``. Section 二（四）: the pilot runs
from the day the plan was issued (2024-10-21) to 2026-12-31, so its rules are ``pilot`` rules in force
over that period only — except the window rule, which is about what happens after it.
Section numbers are cited as article "2(2)" for 二（二） and so on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from weituo.rules.engine import Status, load_notice

NOTICE = load_notice(
    Path(__file__).parent,
    id="2024-bio-pilot",
    short="bio",
    title_zh="国家药监局关于印发生物制品分段生产试点工作方案的通知（2024年10月21日）",
    title_en="NMPA work plan for the pilot of segmented production of biologics (2024-10-21)",
    domain="drug",
    status=Status.PILOT,
    published_on=dt.date(2024, 10, 21),
    effective_from=dt.date(2024, 10, 21),
    effective_until=dt.date(2026, 12, 31),
)

from . import rules  # noqa: E402  (declares the rules)

__all__ = ["NOTICE", "rules"]
