"""Opening a stored evidence file (a release document, an audit report) for download, checked
against the SHA-256 recorded when it was uploaded.

A file missing from storage is ``NotFound`` (code ``file_missing``): the record and its digest stay,
only the bytes are gone. A file whose bytes no longer match the recorded digest is refused
(``FileAltered``, code ``file_altered``, HTTP 409): a changed evidence file is a sign of tampering,
so it is never served as if it were the original. Both are logged as errors for the operators; a
download is a read, so nothing is written to the ledger.
"""

from __future__ import annotations

import hashlib
import logging

from django.db.models.fields.files import FieldFile

from weituo.core.errors import InvalidTransition, NotFound

logger = logging.getLogger("weituo.integrity")

CHUNK = 1024 * 1024


class FileAltered(InvalidTransition):
    """The stored file's SHA-256 differs from the digest recorded at upload (409, like a conflict:
    the request is valid, the stored state forbids answering it)."""


def open_verified(file: FieldFile, sha256: str, *, what_zh: str, what_en: str, ref: str) -> FieldFile:
    """``file`` opened for reading, at its start, after its SHA-256 matched ``sha256``.

    ``what_zh``/``what_en`` name the record in messages ("放行资料"/"release document"), ``ref`` which
    one (logged with the stored name; the messages never show storage paths).
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        logger.error("%s %s: file %r is missing from storage (SHA-256 %s)", what_en, ref, file.name, sha256)
        raise NotFound(
            code="file_missing",
            message_zh=f"{what_zh}的文件在存储中缺失；该记录及其 SHA-256 仍保留",
            message_en=f"the file of this {what_en} is missing from storage; the record and its SHA-256 remain",
        ) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    actual = digest.hexdigest()
    if actual != sha256:
        handle.close()
        logger.error(
            "%s %s: file %r does not match its recorded SHA-256 (recorded %s, stored file %s): possible tampering",
            what_en,
            ref,
            file.name,
            sha256,
            actual,
        )
        raise FileAltered(
            code="file_altered",
            message_zh=f"{what_zh}的文件与上传时记录的 SHA-256 不一致，可能已被篡改，拒绝下载",
            message_en=(
                f"the file of this {what_en} does not match the SHA-256 recorded at upload; "
                "it may have been tampered with, so it is not served"
            ),
        )
    handle.seek(0)
    return handle
