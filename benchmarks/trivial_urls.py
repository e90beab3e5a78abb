"""The app's URLs plus a trivial view, the baseline of ``benchmarks/web.py``, kept out of the app's own URLs.

The trivial view goes through the same middleware as every page (session load and save, CSRF, locale,
axes …) and answers a two-byte body: what a page costs beyond it is the page's own work.
"""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("__bench/trivial/", lambda request: HttpResponse("ok"), name="bench_trivial"),
    path("", include("config.urls")),
]
