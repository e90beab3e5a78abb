"""One process of the concurrency test: ``python -m tests.quality.racer setup`` or
``python -m tests.quality.racer acknowledge USERNAME EVENT_PK START`` (START: a time.time() to wait for,
so that the racers act at the same moment, each with its own database connection)."""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from weituo.accounts.selectors import actor_for_user
    from weituo.core.errors import ApplicationError
    from weituo.quality import services
    from weituo.quality.models import QualityEvent

    if sys.argv[1] == "setup":
        from tests.quality.world import build_world

        world = build_world()
        event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOS")
        print(event.pk)
        return
    username, event_pk, start = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    actor = actor_for_user(get_user_model().objects.get(username=username))
    event = QualityEvent.objects.get(pk=event_pk)  # everyone read it while it was open
    time.sleep(max(0.0, start - time.time()))
    try:
        services.event_acknowledge(actor=actor, event=event, note=f"acknowledged by {username}")
        print("ok")
    except ApplicationError as e:
        print(e.code)


if __name__ == "__main__":
    main()
