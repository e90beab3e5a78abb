"""Serving a stored evidence file (a release document, an audit report) from a page: the file only
after its SHA-256 matched the recorded digest, else weituo's own bilingual page — 404 when the file
is missing from storage, 409 when it was altered — never a server error."""

from __future__ import annotations

import os
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from weituo.core.errors import NotFound
from weituo.integrity.stored_files import FileAltered, open_verified


def stored_file_response(request: HttpRequest, file, sha256: str, *, what: Any, ref: str) -> HttpResponse:
    """The file as an attachment, or the page saying why it cannot be served."""
    try:
        handle = open_verified(file, sha256, what=what, ref=ref)
    except (NotFound, FileAltered) as error:
        status = 409 if isinstance(error, FileAltered) else 404
        return render(request, "web/batches/file_unavailable.html", {"error": error}, status=status)
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(file.name))
