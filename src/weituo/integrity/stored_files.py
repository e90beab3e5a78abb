"""Evidence files (a release document, an audit report) on their way in and out: the checks of an
upload and its SHA-256 (``upload_problems``, ``sha256_of``), and opening a stored file for download,
checked against the SHA-256 recorded when it was uploaded (``open_verified``).

An upload's type, size and emptiness are all checked at once, so the user sees every problem in one
answer; each workflow passes its own accepted types, size limit and name for the file.

A file missing from storage is ``NotFound`` (code ``file_missing``): the record and its digest stay,
only the bytes are gone. A file whose bytes no longer match the recorded digest is refused
(``FileAltered``, code ``file_altered``, HTTP 409): a changed evidence file is a sign of tampering,
so it is never served as if it were the original. Both are logged as errors for the operators; a
download is a read, so nothing is written to the ledger.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy

from weituo.core.errors import ErrorDetail, InvalidTransition, NotFound
from weituo.core.i18n import bounded, detail, en, messages

logger = logging.getLogger("weituo.integrity")

CHUNK = 1024 * 1024


def upload_problems(
    file: UploadedFile | None,
    *,
    types: Collection[str],
    max_bytes: int,
    noun: Any = None,
) -> list[ErrorDetail]:
    """Every problem of an uploaded file (none: an empty list), each on the field ``file``.

    ``types`` are the accepted suffixes, lower case with their dot (".pdf"); ``max_bytes`` the size
    limit; ``noun`` (a lazy label, default "file") names the file in the type message ("report file").
    """
    if file is None:
        return [detail(gettext_lazy("a file is required"), field="file")]
    name = file.name or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    problems = []
    if suffix not in types:
        allowed = " ".join(sorted(types))
        problems.append(
            detail(
                gettext_lazy("%(noun)s type %(suffix)s not accepted (allowed: %(allowed)s)"),
                noun=noun or gettext_lazy("file"),
                suffix=bounded(suffix or name),
                allowed=allowed,
                field="file",
            )
        )
    if file.size is not None and file.size > max_bytes:
        problems.append(
            detail(
                gettext_lazy("file too large: %(size)s bytes, limit %(max_bytes)s"),
                size=file.size,
                max_bytes=max_bytes,
                field="file",
            )
        )
    if not file.size:
        problems.append(detail(gettext_lazy("the file is empty"), field="file"))
    return problems


def sha256_of(file: UploadedFile) -> str:
    """The uploaded file's SHA-256 (hex), the file left at its start so it can then be saved."""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


class FileAltered(InvalidTransition):
    """The stored file's SHA-256 differs from the digest recorded at upload (409, like a conflict:
    the request is valid, the stored state forbids answering it)."""


def open_verified(file: FieldFile, sha256: str, *, what: Any, ref: str) -> FieldFile:
    """``file`` opened for reading, at its start, after its SHA-256 matched ``sha256``.

    ``what`` (a lazy label) names the record in messages ("release document"), ``ref`` which one
    (logged with the stored name; the messages never show storage paths).
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        logger.error("%s %s: file %r is missing from storage (SHA-256 %s)", en(what), ref, file.name, sha256)
        raise NotFound(
            code="file_missing",
            **messages(
                gettext_lazy("the file of this %(what)s is missing from storage; the record and its SHA-256 remain"),
                what=what,
            ),
        ) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    actual = digest.hexdigest()
    if actual != sha256:
        handle.close()
        logger.error(
            "%s %s: file %r does not match its recorded SHA-256 (recorded %s, stored file %s): possible tampering",
            en(what),
            ref,
            file.name,
            sha256,
            actual,
        )
        raise FileAltered(
            code="file_altered",
            **messages(
                gettext_lazy(
                    "the file of this %(what)s does not match the SHA-256 recorded at upload; "
                    "it may have been tampered with, so it is not served"
                ),
                what=what,
            ),
        )
    handle.seek(0)
    return handle
