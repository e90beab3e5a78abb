"""Each role sees only what it may, in a real browser: an MAH its own products (not the other MAH's on
the same shared line), a CMO its own lines, a regulator its province; and a record one may not see is
"not found" by URL, exactly like a record that does not exist."""

from __future__ import annotations

from tests.browser.helpers import expect, refs_of, visit


def _expect_not_found(page, path: str) -> str:
    assert visit(page, path) == 404, path
    expect(page.get_by_test_id("not-found")).to_be_visible()
    return page.get_by_test_id("not-found").inner_text()


def test_the_mah_sees_its_own_products_and_not_the_other_mahs_on_the_shared_line(open_page, facts):
    page = open_page("li.na")
    expect(page.get_by_test_id("workspace-mah")).to_have_attribute("data-ref", facts["mah"])
    for other in ("workspace-cmo", "workspace-regulator", "workspace-platform", "nav-import"):
        expect(page.get_by_test_id(other)).to_have_count(0)

    page.get_by_test_id("nav-products").click()
    expect(page.get_by_test_id("product-table")).to_be_visible()
    products = set(refs_of(page, "product-row"))
    assert products == set(facts["mah_products"])
    assert not products & set(facts["mah2_products_on_shared_line"])

    # On the shared line: the MAH's own products only, the others withheld.
    assert visit(page, f"/lines/{facts['shared_line']}/") == 200
    expect(page.get_by_test_id("line-withheld")).to_be_visible()
    assert set(refs_of(page, "line-product-row")) == set(facts["mah_products_on_shared_line"])

    page.get_by_test_id("nav-contracts").click()
    expect(page.get_by_test_id("contract-table")).to_be_visible()
    assert set(refs_of(page, "contract-row")) == set(facts["mah_contracts"])


def test_the_cmo_sees_its_own_lines_with_every_holders_products(open_page, facts):
    page = open_page("sun.li")
    expect(page.get_by_test_id("workspace-cmo")).to_have_attribute("data-ref", facts["cmo"])
    expect(page.get_by_test_id("workspace-mah")).to_have_count(0)
    assert set(refs_of(page, "ws-line-row")) <= set(facts["cmo_lines"])

    page.get_by_test_id("nav-lines").click()
    expect(page.get_by_test_id("line-table")).to_be_visible()
    assert set(refs_of(page, "line-row")) == set(facts["cmo_lines"])

    assert visit(page, f"/lines/{facts['shared_line']}/") == 200
    on_line = set(refs_of(page, "line-product-row"))
    assert on_line == set(facts["mah_products_on_shared_line"]) | set(facts["mah2_products_on_shared_line"])

    page.get_by_test_id("nav-contracts").click()
    expect(page.get_by_test_id("contract-table")).to_be_visible()
    assert set(refs_of(page, "contract-row")) == set(facts["cmo_contracts"])


def test_the_regulator_sees_the_enterprises_of_its_province(open_page, facts):
    page = open_page("xu.hua")
    desk = page.get_by_test_id("workspace-regulator")
    expect(desk).to_have_attribute("data-province", facts["province"])
    expect(page.get_by_test_id("stat-enterprises")).to_contain_text(str(len(facts["province_organisations"])))
    assert set(refs_of(page, "organisation-row")) <= set(facts["province_organisations"])
    for other in ("workspace-mah", "workspace-cmo", "workspace-platform", "nav-import"):
        expect(page.get_by_test_id(other)).to_have_count(0)

    assert visit(page, f"/organisations/?province={facts['province']}") == 200
    expect(page.get_by_test_id("organisation-table")).to_be_visible()
    assert set(refs_of(page, "organisation-row")) == set(facts["province_organisations"])

    # The bulk import is the platform's: the regulator is refused, with the reason.
    assert visit(page, "/registry/import/") == 403
    expect(page.get_by_test_id("refusal")).to_have_attribute("data-code", "permission_denied")


def test_a_cmo_opening_another_cmos_line_by_url_gets_not_found(open_page, facts):
    page = open_page("sun.li")
    assert visit(page, f"/lines/{facts['cmo_lines'][0]}/") == 200  # its own line opens
    nowhere = _expect_not_found(page, "/lines/LINE-DOES-NOT-EXIST/")
    for ref in (facts["other_cmo_lines"][0], facts["other_cmo_lines"][-1]):
        assert _expect_not_found(page, f"/lines/{ref}/") == nowhere  # indistinguishable from no such line


def test_an_mah_opening_the_other_mahs_product_or_contract_by_url_gets_not_found(open_page, facts):
    page = open_page("li.na")
    assert visit(page, f"/products/{facts['mah_products'][0]}/") == 200  # its own product opens
    assert visit(page, f"/contracts/{facts['mah_contracts'][0]}/") == 200
    nowhere = _expect_not_found(page, "/products/P-DOES-NOT-EXIST/")
    for ref in facts["mah2_products_on_shared_line"]:
        assert _expect_not_found(page, f"/products/{ref}/") == nowhere
    for ref in facts["mah2_contracts"]:
        assert _expect_not_found(page, f"/contracts/{ref}/") == nowhere
