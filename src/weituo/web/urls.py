"""URLs of the web app (filled in by the web issue)."""

from django.urls import path  # noqa: F401

app_name = "web"
urlpatterns: list = []
