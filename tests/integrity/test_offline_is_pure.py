"""The offline verifier and the cryptography it uses import no Django: a regulator runs them without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = ("canonical", "merkle", "keys", "checkpoints", "offline")


@pytest.mark.parametrize("module", PURE)
def test_module_imports_without_django(module):
    code = f"import sys; import weituo.integrity.{module}; assert 'django' not in sys.modules, 'django imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
