"""关于加强药品生产行为监管、规范生产质量管理的措施（征求意见稿） — the production-conduct draft.

A consultation draft: no number, no date, no force. Its rules are ``draft`` rules without an
effective date, left out of every evaluation unless ``include_draft`` is asked for (to see what
the draft would mean for an enterprise). Its articles are cited by their numbers (一 … 十六).
"""

from __future__ import annotations

from pathlib import Path

from weituo.rules.engine import Status, load_notice

NOTICE = load_notice(
    Path(__file__).parent,
    id="draft-production-conduct",
    short="draft-pc",
    title_zh="关于加强药品生产行为监管、规范生产质量管理的措施（征求意见稿）",
    title_en="Measures on supervising drug production conduct and quality management (consultation draft)",
    domain="drug",
    status=Status.DRAFT,
    published_on=None,
    effective_from=None,
)

from . import rules  # noqa: E402  (declares the rules)

__all__ = ["NOTICE", "rules"]
