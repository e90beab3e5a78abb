"""Settings of the server the browser tests drive: the developer settings, but with DEBUG off.

With DEBUG on, Django answers a 404 with its technical page instead of weituo's ``404.html``, and the
tests must see what a user sees. Static files are served by ``runserver --insecure``.
"""

from config.settings.local import *  # noqa: F403

DEBUG = False
