"""PURE: the rule engine and one package per notice. No Django, no app import (import-linter enforces it).

The engine itself arrives with the "Regulations as code" issue; this package exists now so that the
purity contract is enforced from the first commit.
"""
