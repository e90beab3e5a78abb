"""PURE: statistical methods (SPC, OOS/OOT, stability). No Django, no app import (import-linter enforces it).

The methods arrive with the analytics issue; this package exists now so that the purity contract is
enforced from the first commit.
"""
