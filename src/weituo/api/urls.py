"""URLs of the REST API: version 1 at /api/v1/, its interactive documentation at /api/docs.

The docs page is ninja's Swagger UI from ninja's own static files (``ninja`` is an installed app
for them), so it needs nothing from the internet. Any other path under /api/ answers with the API's
JSON error body rather than the web app's HTML page.
"""

from functools import partial

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext_lazy
from ninja.openapi.views import openapi_view

from weituo.core.i18n import both

from .errors import body
from .v1 import api


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return JsonResponse(body("not_found", *both(gettext_lazy("no such API endpoint"))), status=404)


urlpatterns = [
    path("v1/", api.urls),
    path("docs", partial(openapi_view, api=api), name="api-docs"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
