"""Validators for the identifiers that appear on licences, approvals and registrations.

Each raises Django's ``ValidationError`` with a bilingual message that names what is wrong, so the
admin, the import report and the API all say the same thing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from .provinces import PROVINCE_BY_ABBREVIATION

# Drug manufacturing licence: province abbreviation + 4-digit year + 4-digit sequence (苏20160001);
# the opinion letter (受托生产意见书) is numbered the same way (annex 2 of Notice 2025-134).
DRUG_LICENCE_RE = re.compile(r"^(?P<abbr>\w)(?P<year>\d{4})(?P<seq>\d{4})$")
# Device production licence: 苏药监械生产许20160001号 (older ones 食药监械); class I filing 苏苏械生产备20150001号.
DEVICE_LICENCE_RE = re.compile(r"^(?P<abbr>\w)(?:(?:食)?药监械生产许|\w{1,3}械生产备)(?P<year>\d{4})(?P<seq>\d{4})号$")
# Drug approval number: 国药准字 + H (chemical) / Z (TCM) / S (biologic) / J (imported, made in China) + 8 digits.
APPROVAL_NUMBER_RE = re.compile(r"^国药准字(?P<kind>[HZSJ])(?P<digits>\d{8})$")
# Device registration certificate: 国械注准/国械注进/国械注许 (class III, imported) or 苏械注准 (class II)
# + 4-digit year + 1-digit class + 2-digit category + 4-digit sequence.
DEVICE_CERTIFICATE_RE = re.compile(
    r"^(?:国械注[准进许]|\w械注准)(?P<year>\d{4})(?P<cls>[123])(?P<cat>\d{2})(?P<seq>\d{4})$"
)


def validate_uscc(value: str) -> None:
    """The unified social credit code, checked with python-stdnum (GB 32100-2015)."""
    try:
        stdnum_uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            gettext_lazy("USCC check character is wrong (expected %(expected)s)"),
            code="uscc_checksum",
            params={"expected": _expected_check(value)},
        ) from None
    except InvalidLength:
        raise ValidationError(gettext_lazy("USCC must be 18 characters"), code="uscc_length") from None
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(gettext_lazy("USCC has an invalid format or component"), code="uscc_format") from None


def _expected_check(value: str) -> str:
    try:
        return stdnum_uscc.calc_check_digit(stdnum_uscc.compact(value)[:17])
    except Exception:
        return "?"


def validate_drug_licence_number(value: str) -> None:
    match = DRUG_LICENCE_RE.match(value or "")
    if not match or match["abbr"] not in PROVINCE_BY_ABBREVIATION:
        raise ValidationError(
            gettext_lazy(
                "drug licence number must be province abbreviation + 4-digit year + 4-digit sequence (e.g. 苏20160001)"
            ),
            code="licence_number",
        )
    _check_year(int(match["year"]))


def validate_device_licence_number(value: str) -> None:
    match = DEVICE_LICENCE_RE.match(value or "")
    if not match or match["abbr"] not in PROVINCE_BY_ABBREVIATION:
        raise ValidationError(
            gettext_lazy("device production licence number is malformed (e.g. 苏药监械生产许20160001号)"),
            code="device_licence_number",
        )
    _check_year(int(match["year"]))


def _check_year(year: int) -> None:
    if not 1985 <= year <= 2100:
        raise ValidationError(gettext_lazy("the year in the number is implausible"), code="year")


def licence_province(number: str) -> str | None:
    """The province code a licence number was issued in, from its first character."""
    return PROVINCE_BY_ABBREVIATION.get((number or " ")[0])


def validate_approval_number(value: str) -> None:
    if not APPROVAL_NUMBER_RE.match(value or ""):
        raise ValidationError(
            gettext_lazy("approval number must be 国药准字 + H/Z/S/J + 8 digits"),
            code="approval_number",
        )


def validate_device_certificate_number(value: str) -> None:
    if not DEVICE_CERTIFICATE_RE.match(value or ""):
        raise ValidationError(
            gettext_lazy("device registration certificate number is malformed (e.g. 国械注准20193130001)"),
            code="device_certificate_number",
        )
