"""Integrity: the tamper-evident audit ledger, its database guards, Merkle checkpoints, electronic signatures.

The modules ``canonical``, ``merkle`` and ``offline`` import no Django, so that a counterparty or a
regulator can verify an exported bundle with nothing but this package and ``cryptography``.
"""
