"""Facts about the demo database the browser tests check the pages against, printed as JSON.

Run in a subprocess before the server starts (``python -m tests.browser.demo_facts``), with the
server's settings and database. It reads the models directly, never through the visibility policy:
the pages are what is under test, these are the plain facts of who owns what.
"""

from __future__ import annotations

import json


def collect() -> dict:
    from weituo.accounts.models import Membership
    from weituo.contracts.choices import ContractStatus
    from weituo.contracts.models import CommissionContract
    from weituo.registry.models import Line, LineProduct, Organisation, Product

    def org_of(username: str) -> Organisation:
        return Membership.objects.select_related("organisation").get(user__username=username).organisation

    mah, mah2, cmo = org_of("li.na"), org_of("zhao.lei"), org_of("sun.li")
    province = Membership.objects.get(user__username="xu.hua").province

    # The demo's shared line: the CMO's line that carries products of both MAHs.
    shared = next(
        line
        for line in Line.objects.filter(workshop__site__organisation=cmo).order_by("ref")
        if {mah.pk, mah2.pk} <= set(LineProduct.objects.filter(line=line).values_list("product__holder", flat=True))
    )
    on_shared = LineProduct.objects.filter(line=shared).select_related("product")

    def contracts(**kwargs) -> list[str]:
        return sorted(CommissionContract.objects.filter(**kwargs).values_list("ref", flat=True))

    # A row of the communication list li.na may edit: a contract between her MAH and the CMO, its
    # agreement in force, a row with a time limit and its unit (so a new limit alone is a valid edit).
    editable = None
    for contract in CommissionContract.objects.filter(mah=mah, cmo=cmo).order_by("ref"):
        for agreement in contract.quality_agreements.filter(status=ContractStatus.IN_FORCE).order_by(
            "document_version"
        ):
            row = agreement.communications.exclude(time_limit=None).exclude(time_unit="").order_by("category").first()
            if row is not None:
                editable = {
                    "contract": contract.ref,
                    "agreement": agreement.ref,
                    "category": row.category,
                    "time_limit": row.time_limit,
                }
                break
        if editable:
            break

    # The collaboration records the demo seeds (weituo.demo.collaboration): the journey's batch, in
    # production with its package complete, and the other MAH's batch on the same line.
    from weituo.batches.models import Batch

    journey = Batch.objects.select_related("product", "contract").get(
        ref__startswith="DEMO-", ref__endswith="-03", product__holder=mah, line=shared
    )
    journey_facts = {
        "batch": journey.ref,
        "number": journey.number,
        "contract": journey.contract.ref,
        "product_name": journey.product.name,
        "mah_name": mah.name,
        "mah_product_names": sorted(Product.objects.filter(holder=mah).values_list("name", flat=True)),
        "mah_batch_numbers": sorted(Batch.objects.filter(product__holder=mah).values_list("number", flat=True)),
        "mah2_batches": sorted(Batch.objects.filter(product__holder=mah2).values_list("ref", flat=True)),
    }

    return {
        "journey": journey_facts,
        "mah": mah.ref,
        "mah2": mah2.ref,
        "cmo": cmo.ref,
        "province": province,
        "shared_line": shared.ref,
        "mah_products": sorted(Product.objects.filter(holder=mah).values_list("ref", flat=True)),
        "mah_products_on_shared_line": sorted(lp.product.ref for lp in on_shared if lp.product.holder_id == mah.pk),
        "mah2_products_on_shared_line": sorted(lp.product.ref for lp in on_shared if lp.product.holder_id == mah2.pk),
        "mah_contracts": contracts(mah=mah),
        "mah2_contracts": contracts(mah=mah2),
        "cmo_contracts": contracts(cmo=cmo),
        "cmo_lines": sorted(Line.objects.filter(workshop__site__organisation=cmo).values_list("ref", flat=True)),
        "other_cmo_lines": sorted(Line.objects.exclude(workshop__site__organisation=cmo).values_list("ref", flat=True)),
        "province_organisations": sorted(Organisation.objects.filter(province=province).values_list("ref", flat=True)),
        "editable_communication": editable,
    }


def main() -> None:
    import django

    django.setup()
    print(json.dumps(collect(), ensure_ascii=False))


if __name__ == "__main__":
    main()
