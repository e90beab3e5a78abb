"""API: the REST API under /api/v1 (django-ninja, OpenAPI at /api/docs), thin over the selectors and services."""
