"""Who may see and who may write: the visibility policy and the write predicates (floor 1).

Domain apps register the visibility rule of each of their models here (``policy.register``) and
extend the rules of the apps below them (``policy.extend``), so this package imports no domain model.
"""
