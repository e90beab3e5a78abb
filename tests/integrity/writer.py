"""One concurrent writer for the concurrency test: ``python -m tests.integrity.writer K N``.

Creates N enterprise groups through the audited write service, one transaction each, so that the
ledger's append serialisation is exercised by real processes with their own connections.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    worker, count = int(sys.argv[1]), int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from weituo.core.actors import system_actor
    from weituo.integrity.writes import record_create
    from weituo.registry.models import EnterpriseGroup

    actor = system_actor(f"writer {worker}")
    for i in range(count):
        record_create(actor=actor, model=EnterpriseGroup, ref=f"G-{worker}-{i}", name=f"集团{worker}-{i}")


if __name__ == "__main__":
    main()
