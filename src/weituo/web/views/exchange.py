"""Excel (and JSON) export of what the actor may see; import for platform administrators, all or nothing."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import PermissionDenied, ValidationFailed
from weituo.core.i18n import messages
from weituo.exchange.formats import dump_json, load_json, read_workbook, write_workbook
from weituo.exchange.selectors import registry_dataset
from weituo.exchange.services import registry_import

from ..forms import ImportForm
from ..shell import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@page
def registry_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The registry as the actor may see it, as a workbook (``?format=json`` for JSON)."""
    dataset = registry_dataset(actor=actor)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "json":
        response = HttpResponse(dump_json(dataset), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="weituo-registry-{stamp}.json"'
        return response
    stream = io.BytesIO()
    write_workbook(dataset, stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="weituo-registry-{stamp}.xlsx"'
    return response


def _require_importer(actor: Actor) -> None:
    # The same rule registry_import applies; checked first so that the form is not offered at all.
    if not actor.is_platform_admin:
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("only a platform administrator may import the registry in bulk")),
        )


@page
def registry_import_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_importer(actor)
    report = error = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = upload.name or "upload"
            try:
                if name.lower().endswith(".json"):
                    dataset = load_json(upload.read().decode("utf-8", errors="replace"))
                else:
                    dataset = read_workbook(upload)
                report = registry_import(
                    actor=actor, dataset=dataset, source=f"web:{name}"[:200], dry_run=form.cleaned_data["dry_run"]
                )
            except ValidationFailed as e:
                error = e
                status = 422
        else:
            status = 422
    else:
        form = ImportForm()
    return render(
        request,
        "web/registry_import.html",
        {"form": form, "report": report, "error": error, "active_nav": "import"},
        status=status,
    )
