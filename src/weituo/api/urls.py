"""URLs of the REST API (filled in by the API issue)."""

urlpatterns: list = []
