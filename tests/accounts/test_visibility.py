"""The visibility matrix: every selector × every role × own and other organisation.

The world (``world.py``) is built once for the module, inside a transaction rolled back at its end;
each test runs in a savepoint of it. Users are created through ``user_create`` and turned into
actors by ``actor_for_user``, so the whole path from a login to what it shows is exercised.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from tests.accounts.world import AGREEMENT_OF, CONTRACTS, EVERYTHING, EXPECTED, LINES, ORGS, PRODUCTS, world_dataset
from weituo.access import policy
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import user_create
from weituo.contracts.models import CommunicationItem, QualityAgreement
from weituo.contracts.selectors import contract_get, contract_list, missing_communication_categories
from weituo.core.actors import Actor, system_actor
from weituo.core.errors import NotFound
from weituo.core.roles import SIDE_OF_ROLE, Role, Side
from weituo.exchange.selectors import registry_dataset
from weituo.exchange.services import registry_import
from weituo.exchange.sheets import SHEET_BY_MODEL, SHEETS
from weituo.registry.models import Line, LineProduct, Organisation, Person
from weituo.registry.selectors import (
    key_people,
    line_get,
    line_load,
    organisation_get,
    organisation_is_pure_b,
    organisation_list,
    product_get,
    product_list,
    shared_lines,
)

SYSTEM = system_actor("tests: visibility matrix")
AS_OF = dt.date(2025, 7, 1)

MAH_ROLES = (Role.MAH_QA, Role.MAH_QP, Role.MAH_HEAD_OF_QUALITY, Role.MAH_VIEWER)
CMO_ROLES = (Role.CMO_QA, Role.CMO_QP, Role.CMO_PRODUCTION, Role.CMO_HEAD_OF_QUALITY, Role.CMO_VIEWER)
REGULATOR_ROLES = (Role.INSPECTOR, Role.HEAD_OF_DIVISION)

# (role, organisation ref or province code); "system" is the command-line actor.
CASES: list[tuple[str, str]] = (
    [(role, org) for org in ("MAH-A", "MAH-Z") for role in MAH_ROLES]
    + [(role, org) for org in ("CMO-J", "CMO-Z") for role in CMO_ROLES]
    + [(role, province) for province in ("32", "33", "34") for role in REGULATOR_ROLES]
    + [(Role.PLATFORM_ADMIN, ""), ("system", "")]
)


def case_id(case: tuple[str, str]) -> str:
    role, where = case
    return f"{role}@{where}" if where else str(role)


def viewpoint(case: tuple[str, str]) -> str:
    role, where = case
    if role == "system" or role == Role.PLATFORM_ADMIN:
        return EVERYTHING
    return f"{SIDE_OF_ROLE[role]}:{where}"


def expected(case: tuple[str, str], kind: str) -> set:
    return EXPECTED[viewpoint(case)][kind]


@pytest.fixture(scope="module")
def actors(django_db_setup, django_db_blocker) -> dict[tuple[str, str], Actor]:
    with django_db_blocker.unblock(), transaction.atomic():
        registry_import(actor=SYSTEM, dataset=world_dataset(), source="visibility world")
        result: dict[tuple[str, str], Actor] = {("system", ""): SYSTEM}
        for n, (role, where) in enumerate(CASES):
            if role == "system":
                continue
            side = SIDE_OF_ROLE[role]
            user = user_create(
                actor=SYSTEM,
                username=f"{role}.{where or 'platform'}".lower(),
                full_name=f"王{n:02d}",
                email=f"u{n}@example.org",
                password="Correct-horse-42",
                role=role,
                organisation=Organisation.objects.get(ref=where) if side in (Side.MAH, Side.CMO) else None,
                province=where if side == Side.REGULATOR else "",
                since=dt.date(2024, 1, 1),
            )
            result[(role, where)] = actor_for_user(user)
        yield result
        transaction.set_rollback(True)


@pytest.fixture(params=CASES, ids=case_id)
def case(request, actors) -> tuple[tuple[str, str], Actor]:
    return request.param, actors[request.param]


pytestmark = pytest.mark.django_db


def refs(rows) -> set[str]:
    return {r.ref for r in rows}


# --- organisations ---------------------------------------------------------------------------------


def test_organisation_list(case):
    c, actor = case
    assert refs(organisation_list(actor=actor)) == expected(c, "organisations")


@pytest.mark.parametrize("ref", sorted(ORGS))
def test_organisation_get_and_pure_b(case, ref):
    c, actor = case
    if ref in expected(c, "organisations"):
        organisation = organisation_get(actor=actor, ref=ref)
        assert organisation.ref == ref
        assert organisation_is_pure_b(actor=actor, organisation=organisation) == ref.startswith("MAH")
    else:
        with pytest.raises(NotFound):
            organisation_get(actor=actor, ref=ref)
        with pytest.raises(NotFound):
            organisation_is_pure_b(actor=actor, organisation=Organisation.objects.get(ref=ref))


# --- products --------------------------------------------------------------------------------------


def test_product_list(case):
    c, actor = case
    assert refs(product_list(actor=actor)) == expected(c, "products")


@pytest.mark.parametrize("ref", sorted(PRODUCTS))
def test_product_get(case, ref):
    c, actor = case
    if ref in expected(c, "products"):
        assert product_get(actor=actor, ref=ref).ref == ref
    else:
        with pytest.raises(NotFound):
            product_get(actor=actor, ref=ref)


# --- lines -----------------------------------------------------------------------------------------

SEES_EVERY_PRODUCT_OF = {  # viewpoint → lines on which it sees every product (so their load)
    "mah:MAH-Z": {"L-J2", "L-Z"},  # its products are alone there; MAH-A shares L-SHARED with MAH-B
    "cmo:CMO-J": {"L-SHARED", "L-J2"},
    "cmo:CMO-Z": {"L-Z"},
    "regulator:32": {"L-SHARED", "L-J2"},
    "regulator:33": {"L-Z", "L-J2"},  # L-J2 carries only P-Z, which Zhejiang sees
    EVERYTHING: set(LINES),
}


@pytest.mark.parametrize("ref", sorted(LINES))
def test_line_get_and_load(case, ref):
    c, actor = case
    line = Line.objects.get(ref=ref)
    if ref not in expected(c, "lines"):
        with pytest.raises(NotFound):
            line_get(actor=actor, ref=ref)
        with pytest.raises(NotFound):
            line_load(actor=actor, line=line)
        return
    assert line_get(actor=actor, ref=ref) == line
    load = line_load(actor=actor, line=line)
    rows = {(lp.line.ref, lp.product.ref) for lp in load.products}
    assert rows == {lp for lp in expected(c, "line_products") if lp[0] == ref}
    volumes = {lp.product.ref: lp.annual_volume for lp in load.products}
    assert load.planned_volume == sum((volumes[p] for p in volumes), Decimal("0"))
    complete = ref in SEES_EVERY_PRODUCT_OF.get(viewpoint(c), set())
    assert load.complete is complete
    if complete:
        assert load.holders == len(
            {PRODUCTS[p][0] for p, (_h, line_ref, _v, _n) in PRODUCTS.items() if line_ref == ref}
        )
        assert load.utilisation is not None
    else:  # an MAH on the shared line: how many share it, and their volumes, are withheld
        assert load.holders is None and load.utilisation is None and load.shared


def test_shared_lines(case):
    c, actor = case
    lines = list(shared_lines(actor=actor))
    assert refs(lines) == expected(c, "lines") & {"L-SHARED"}
    for line in lines:
        if line.ref in SEES_EVERY_PRODUCT_OF.get(viewpoint(c), set()):
            assert (line.holder_count, line.planned_volume) == (2, Decimal("2000"))
        else:
            assert (line.holder_count, line.planned_volume) == (None, None)


# --- key people ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", sorted(ORGS))
def test_key_people(case, ref):
    c, actor = case
    organisation = Organisation.objects.get(ref=ref)
    if ref not in expected(c, "organisations"):
        with pytest.raises(NotFound):
            key_people(actor=actor, organisation=organisation, as_of=AS_OF)
        return
    [qp] = key_people(actor=actor, organisation=organisation, as_of=AS_OF)
    assert qp.person.ref == f"PER-{ref}" and qp.roles == ["qp"]
    if f"PER-{ref}" in expected(c, "experience"):
        assert qp.years is not None and qp.years.practice == 10.0
    else:  # a counterparty's key person: named, as on the licence, but not their CV
        assert qp.years is None


# --- contracts and agreements ----------------------------------------------------------------------


def test_contract_list(case):
    c, actor = case
    assert refs(contract_list(actor=actor)) == expected(c, "contracts")


@pytest.mark.parametrize("ref", sorted(CONTRACTS))
def test_contract_get(case, ref):
    c, actor = case
    if ref not in expected(c, "contracts"):
        with pytest.raises(NotFound):
            contract_get(actor=actor, ref=ref)
        return
    contract = contract_get(actor=actor, ref=ref)
    _mah, _cmo, product, line = CONTRACTS[ref]
    assert refs(contract.products.all()) == {product}
    assert refs(contract.lines.all()) == {line}
    assert refs(contract.quality_agreements.all()) == {AGREEMENT_OF[ref]}


@pytest.mark.parametrize("ref", sorted(AGREEMENT_OF.values()))
def test_missing_communication_categories(case, ref):
    c, actor = case
    agreement = QualityAgreement.objects.get(ref=ref)
    if ref in expected(c, "agreements"):
        missing = missing_communication_categories(actor=actor, agreement=agreement)
        assert "deviation" not in missing and missing
    else:
        with pytest.raises(NotFound):
            missing_communication_categories(actor=actor, agreement=agreement)


# --- the export ------------------------------------------------------------------------------------


def test_registry_dataset_exports_only_what_the_actor_sees(case):
    c, actor = case
    data = registry_dataset(actor=actor)
    key = {name: {row["ref"] for row in data[name]} for name in ("organisations", "products", "lines")}
    assert key["organisations"] == expected(c, "organisations")
    assert key["products"] == expected(c, "products")
    assert key["lines"] == expected(c, "lines")
    assert {(r["line"], r["product"]) for r in data["line_products"]} == expected(c, "line_products")
    assert {r["ref"] for r in data["contracts"]} == expected(c, "contracts")
    assert {r["ref"] for r in data["agreements"]} == expected(c, "agreements")
    assert {r["ref"] for r in data["people"]} == expected(c, "people")
    assert {r["person"] for r in data["experience"]} == expected(c, "experience")
    assert {r["ref"] for r in data["inspections"]} == expected(c, "inspections")
    assert {r["ref"] for r in data["evaluations"]} == expected(c, "evaluations")
    assert {r["ref"] for r in data["licences"]} == expected(c, "licences")
    assert {(r["licence"], r["product"]) for r in data["licence_scopes"]} == expected(c, "licence_scopes")


def test_registry_dataset_never_names_a_record_it_leaves_out(case):
    """Every reference in the export (foreign key or link) points to a record the export contains."""
    _c, actor = case
    data = registry_dataset(actor=actor)
    exported = {s.model: {row["ref"] for row in data[s.name]} for s in SHEETS if s.referenced}
    for sheet in SHEETS:
        for row in data[sheet.name]:
            for col in sheet.columns:
                if col.kind not in ("fk", "m2m") or col.target not in exported:
                    continue
                values = row[col.field] if col.kind == "m2m" else [row[col.field]]
                for ref in values:
                    assert ref is None or ref in exported[col.target], (sheet.name, col.field, ref)


# --- the cases the issue names ---------------------------------------------------------------------


def test_an_mah_asking_for_another_mahs_product_or_contract_gets_not_found(actors):
    mah_a = actors[(Role.MAH_QA, "MAH-A")]
    with pytest.raises(NotFound) as excinfo:
        product_get(actor=mah_a, ref="P-B")
    assert excinfo.value.code == "not_found" and "P-B" in excinfo.value.message_en
    with pytest.raises(NotFound):
        contract_get(actor=mah_a, ref="C-B")
    # the same answer as for a record that does not exist at all: existence is not revealed
    with pytest.raises(NotFound) as missing:
        product_get(actor=mah_a, ref="P-NONE")
    assert missing.value.code == excinfo.value.code


def test_a_cmo_asking_for_another_cmos_line_or_contract_gets_not_found(actors):
    cmo_j = actors[(Role.CMO_QA, "CMO-J")]
    with pytest.raises(NotFound):
        line_get(actor=cmo_j, ref="L-Z")
    with pytest.raises(NotFound):
        line_load(actor=cmo_j, line=Line.objects.get(ref="L-Z"))
    with pytest.raises(NotFound):
        contract_get(actor=cmo_j, ref="C-Z2")
    assert "L-Z" not in refs(shared_lines(actor=cmo_j)) | refs(contract_get(actor=cmo_j, ref="C-Z").lines.all())


def test_on_the_shared_line_an_mah_sees_only_its_own_product_and_volume(actors):
    mah_a = actors[(Role.MAH_QP, "MAH-A")]
    load = line_load(actor=mah_a, line=Line.objects.get(ref="L-SHARED"))
    [own] = load.products
    assert (own.product.ref, own.annual_volume) == ("P-A", Decimal("1200"))
    assert load.planned_volume == Decimal("1200")  # its own, not the line's 2000
    assert load.holders is None and load.utilisation is None  # would reveal MAH-B's 800
    assert load.shared  # art. 8: every holder is told the line is shared, not by whom
    [line] = shared_lines(actor=mah_a)
    assert (line.holder_count, line.planned_volume) == (None, None)
    exported = registry_dataset(actor=mah_a)
    assert [(r["product"], r["annual_volume"]) for r in exported["line_products"]] == [("P-A", Decimal("1200.00"))]
    assert not policy.visible(mah_a, LineProduct).filter(product__ref="P-B").exists()
    # the CMO of the line sees both holders and the whole load
    cmo_load = line_load(actor=actors[(Role.CMO_QA, "CMO-J")], line=Line.objects.get(ref="L-SHARED"))
    assert (cmo_load.holders, cmo_load.planned_volume, cmo_load.utilisation) == (2, Decimal("2000"), Decimal("0.400"))


def test_anhuis_regulator_sees_nothing_of_jiangsu_and_zhejiang(actors):
    for role in REGULATOR_ROLES:
        anhui = actors[(role, "34")]
        assert all(rows == [] for rows in registry_dataset(actor=anhui).values())
        assert not organisation_list(actor=anhui).exists() and not contract_list(actor=anhui).exists()
        with pytest.raises(NotFound):
            contract_get(actor=anhui, ref="C-Z")


def test_zhejiangs_regulator_sees_the_cross_province_contract_not_the_jiangsu_one(actors):
    zhejiang = actors[(Role.INSPECTOR, "33")]
    assert contract_get(actor=zhejiang, ref="C-Z").cmo.ref == "CMO-J"
    with pytest.raises(NotFound):
        contract_get(actor=zhejiang, ref="C-A")
    assert refs(product_list(actor=zhejiang, holder=Organisation.objects.get(ref="MAH-Z"))) == {"P-Z", "P-Z2"}
    with pytest.raises(NotFound):
        product_get(actor=zhejiang, ref="P-A")
    with pytest.raises(NotFound):
        line_get(actor=zhejiang, ref="L-SHARED")


def test_a_copied_template_shows_the_named_person_and_employer_but_nothing_confidential(actors):
    # QA-A's communication list copied from MAH-B's agreement: its MAH contact is MAH-B's QP
    CommunicationItem.objects.filter(agreement__ref="QA-A").update(mah_contact=Person.objects.get(ref="PER-MAH-B"))
    mah_a = actors[(Role.MAH_QA, "MAH-A")]
    contract = contract_get(actor=mah_a, ref="C-A")
    [item] = contract.quality_agreements.all()[0].communications.all()
    assert item.mah_contact.ref == "PER-MAH-B"  # the rules can show that the contact is not MAH-A's
    assert organisation_get(actor=mah_a, ref="MAH-B").ref == "MAH-B"  # at name and licence level
    assert [p.years for p in key_people(actor=mah_a, organisation=item.mah_contact.organisation, as_of=AS_OF)] == [None]
    with pytest.raises(NotFound):
        product_get(actor=mah_a, ref="P-B")
    with pytest.raises(NotFound):
        contract_get(actor=mah_a, ref="C-B")
    assert [lp.product.ref for lp in line_load(actor=mah_a, line=Line.objects.get(ref="L-SHARED")).products] == ["P-A"]


# --- no actor, no answer ---------------------------------------------------------------------------

SELECTOR_CALLS = {
    "organisation_list": lambda a: organisation_list(actor=a),
    "organisation_get": lambda a: organisation_get(actor=a, ref="MAH-A"),
    "organisation_is_pure_b": lambda a: organisation_is_pure_b(
        actor=a, organisation=Organisation.objects.get(ref="MAH-A")
    ),
    "product_list": lambda a: product_list(actor=a),
    "product_get": lambda a: product_get(actor=a, ref="P-A"),
    "line_get": lambda a: line_get(actor=a, ref="L-SHARED"),
    "line_load": lambda a: line_load(actor=a, line=Line.objects.get(ref="L-SHARED")),
    "shared_lines": lambda a: shared_lines(actor=a),
    "key_people": lambda a: key_people(actor=a, organisation=Organisation.objects.get(ref="CMO-J"), as_of=AS_OF),
    "contract_list": lambda a: contract_list(actor=a),
    "contract_get": lambda a: contract_get(actor=a, ref="C-A"),
    "missing_communication_categories": lambda a: missing_communication_categories(
        actor=a, agreement=QualityAgreement.objects.get(ref="QA-A")
    ),
    "registry_dataset": lambda a: registry_dataset(actor=a),
}


@pytest.mark.parametrize("name", sorted(SELECTOR_CALLS))
def test_none_is_not_an_actor(actors, name):
    with pytest.raises(TypeError):
        SELECTOR_CALLS[name](None)


@pytest.mark.parametrize("name", sorted(SELECTOR_CALLS))
def test_a_user_without_membership_sees_nothing(actors, name):
    nobody = Actor(user_id=None, username="zhang.san", display_name="张三")
    try:
        result = SELECTOR_CALLS[name](nobody)
    except NotFound:
        return
    if isinstance(result, dict):
        assert all(rows == [] for rows in result.values())
    else:
        assert not list(result)


def test_every_exported_model_has_a_rule_and_an_unknown_model_has_none():
    assert set(SHEET_BY_MODEL) <= set(policy.known_models())
    from weituo.accounts.models import Membership

    with pytest.raises(LookupError):
        policy.visible(SYSTEM, Membership)
