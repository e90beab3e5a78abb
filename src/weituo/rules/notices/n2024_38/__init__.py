"""国家药监局关于进一步加强医疗器械注册人委托生产监督管理的公告（2024年第38号） — device notice 2024-38
on contract manufacturing by device registrants.

Dates: art. 20 (本公告自2024年6月1日起施行) puts it in force on 2024-06-01. The stored copy's header
says ``effective_date: '2025-04-20'``; that is metadata of the website it was taken from, not the
notice, and is not used. The notice's own publication date is not in the stored text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from weituo.rules.engine import Status, load_notice

NOTICE = load_notice(
    Path(__file__).parent,
    id="2024-38",
    short="38",
    title_zh="国家药监局关于进一步加强医疗器械注册人委托生产监督管理的公告（2024年第38号）",
    title_en="NMPA notice on further strengthening the supervision of contract manufacturing by device registrants (2024 No. 38)",
    domain="device",
    status=Status.IN_FORCE,
    published_on=None,
    effective_from=dt.date(2024, 6, 1),
)

from . import rules  # noqa: E402  (declares the rules)

__all__ = ["NOTICE", "rules"]
