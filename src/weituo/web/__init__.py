"""Web: the server-rendered app (Django templates + htmx), thin over the selectors and services."""
