"""Identifier validators: the numbers on licences, approvals and registrations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from weituo.registry.provinces import ABBREVIATION, Province
from weituo.registry.validators import (
    licence_province,
    validate_approval_number,
    validate_device_certificate_number,
    validate_device_licence_number,
    validate_drug_licence_number,
    validate_uscc,
)


def test_every_province_and_xpcc_has_a_distinct_licence_abbreviation():
    assert len(Province.values) == 32
    assert set(ABBREVIATION) == set(Province.values)
    assert len(set(ABBREVIATION.values())) == 32


def test_uscc_accepts_a_real_code_and_names_the_expected_check_character():
    validate_uscc("91110000600037341L")
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("91110000600037341M")
    assert excinfo.value.code == "uscc_checksum"
    assert "L" in excinfo.value.messages[0]
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("9111000060003734")
    assert excinfo.value.code == "uscc_length"


@pytest.mark.parametrize("number", ["苏20160001", "京20200123", "兵20190001", "黔20230002"])
def test_drug_licence_numbers(number):
    validate_drug_licence_number(number)


@pytest.mark.parametrize("number", ["20160001", "X20160001", "苏2016001", "苏201600011", "苏18000001", "苏2016000A"])
def test_bad_drug_licence_numbers(number):
    with pytest.raises(ValidationError):
        validate_drug_licence_number(number)


def test_licence_province_from_abbreviation():
    assert licence_province("苏20160001") == "32"
    assert licence_province("兵20160001") == "66"
    assert licence_province("Q20160001") is None


@pytest.mark.parametrize("number", ["国药准字H20123456", "国药准字Z32020001", "国药准字S10980001", "国药准字J20150012"])
def test_approval_numbers(number):
    validate_approval_number(number)


@pytest.mark.parametrize(
    "number", ["国药准字X20123456", "国药准字H2012345", "国药准字H201234567", "H20123456", "国药准字h20123456"]
)
def test_bad_approval_numbers(number):
    with pytest.raises(ValidationError):
        validate_approval_number(number)


def test_device_numbers():
    validate_device_licence_number("苏药监械生产许20160001号")
    validate_device_licence_number("苏食药监械生产许20150012号")
    validate_device_certificate_number("国械注准20193130001")
    validate_device_certificate_number("苏械注准20182140123")
    with pytest.raises(ValidationError):
        validate_device_licence_number("苏药监械生产许2016001号")
    with pytest.raises(ValidationError):
        validate_device_certificate_number("国械注准2019413001")
