"""国家药监局关于加强药品受托生产监督管理工作的公告（2025年第134号） — Notice 2025-134 on contract
manufacturing of drugs.

Dates: the document is signed 2025年12月30日 and was published (发布日期) on 2026-01-06. Art. 28
(本公告自发布之日起执行) puts it in force from publication, so the rules apply from 2026-01-06 and
art. 25's "one year after publication" ends on 2027-01-06 — not 2026-12-30, which is only the
signing date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from weituo.rules.engine import Status, load_notice

NOTICE = load_notice(
    Path(__file__).parent,
    id="2025-134",
    short="134",
    title_zh="国家药监局关于加强药品受托生产监督管理工作的公告（2025年第134号）",
    title_en="NMPA notice on strengthening the supervision of contract manufacturing of drugs (2025 No. 134)",
    domain="drug",
    status=Status.IN_FORCE,
    published_on=dt.date(2026, 1, 6),
    effective_from=dt.date(2026, 1, 6),
)

# The modules below declare the rules when imported.
from . import (  # noqa: E402
    agreement,
    audits,
    batches,
    changes,
    evaluation,
    licences_held,
    licensing,
    production,
    rectification,
    restart,
    shared_lines,
    sterile,
    transfer,
)

__all__ = [
    "NOTICE",
    "agreement",
    "audits",
    "batches",
    "changes",
    "evaluation",
    "licences_held",
    "licensing",
    "production",
    "rectification",
    "restart",
    "shared_lines",
    "sterile",
    "transfer",
]
