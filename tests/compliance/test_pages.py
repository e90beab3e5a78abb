"""The compliance pages by role: an MAH and a CMO read their own enterprise's report (and download
it), a regulator lists its province's enterprises with their open findings, anyone else's report is
a 404; facts the policy keeps from a commissioning party are withheld from it."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document

from tests.compliance.conftest import SYSTEM
from tests.web.world import build_world
from weituo.compliance.models import Scan
from weituo.compliance.services import compliance_scan

pytestmark = pytest.mark.django_db
AS_OF_WORLD = None  # today: the world's contracts are in force now


@pytest.fixture
def world(db) -> dict:
    users = build_world()
    compliance_scan(actor=SYSTEM)
    return users


@pytest.fixture
def login(world, client):
    def _login(username: str) -> Client:
        client.force_login(world[username])
        return client

    return _login


def html(response) -> str:
    return response.content.decode()


def refs(response, testid: str) -> set[str]:
    return set(re.findall(rf'data-testid="{re.escape(testid)}"[^>]*?data-ref="([^"]*)"', html(response)))


def test_an_mah_goes_straight_to_its_own_report(login):
    client = login("mah.qa")
    response = client.get("/compliance/")
    assert response.status_code == 302 and response.url == "/compliance/ORG-MAH/"
    page = client.get("/compliance/ORG-MAH/")
    assert page.status_code == 200
    assert refs(page, "report-facts") == {"ORG-MAH"}
    # its contract's obligations; no other enterprise's own (the CMO's line LINE-1 is not its to see)
    assert refs(page, "report-section") == {"ORG-MAH", "CON-1"} or refs(page, "report-section") == {"CON-1"}
    assert 'data-subject="LINE-1"' not in html(page)
    assert 'data-testid="finding-row" data-ref="134-6.access"' in html(page)
    assert 'data-testid="nav-compliance"' in html(page)


def test_another_enterprises_report_is_not_found(login):
    client = login("mah.qa")
    for ref in ("ORG-MAH2", "ORG-CMO", "ORG-CMO2", "ORG-NOPE"):
        assert client.get(f"/compliance/{ref}/").status_code == 404, ref
        assert client.get(f"/compliance/{ref}/report.docx").status_code == 404, ref
        assert client.get(f"/compliance/{ref}/print/").status_code == 404, ref
        assert client.post(f"/compliance/{ref}/check/").status_code == 404, ref


def test_a_cmo_reads_its_own_report_with_its_lines(login):
    client = login("cmo.qa")
    assert client.get("/compliance/").url == "/compliance/ORG-CMO/"
    page = client.get("/compliance/ORG-CMO/")
    assert page.status_code == 200
    assert 'data-subject="LINE-1"' in html(page)  # 134-8: its shared line
    assert "CON-1" in refs(page, "report-section")
    assert client.get("/compliance/ORG-MAH/").status_code == 404


def test_a_regulator_lists_its_provinces_enterprises_with_open_findings(login):
    client = login("inspector.js")
    page = client.get("/compliance/")
    assert page.status_code == 200
    assert refs(page, "compliance-enterprise") == {"ORG-MAH", "ORG-CMO", "ORG-MAH2"}
    counts = dict(
        re.findall(
            r'data-testid="compliance-enterprise" data-ref="([^"]+)".*?data-testid="open-findings">(\d+)<',
            html(page),
            re.S,
        )
    )
    assert int(counts["ORG-CMO"]) > 0 and int(counts["ORG-MAH"]) > 0
    assert client.get("/compliance/ORG-CMO/").status_code == 200  # its province's enterprise
    assert client.get("/compliance/ORG-CMO2/").status_code == 404  # another province's
    zj = login("inspector.zj").get("/compliance/")
    assert refs(zj, "compliance-enterprise") == {"ORG-CMO2"}


def test_the_overview_filters_in_place(login):
    client = login("inspector.js")
    page = client.get("/compliance/", {"q": "ORG-CMO"}, headers={"HX-Request": "true"})
    assert refs(page, "compliance-enterprise") == {"ORG-CMO"}
    assert "<html" not in html(page)


def test_the_platform_sees_every_enterprise(login):
    page = login("platform.admin").get("/compliance/")
    assert refs(page, "compliance-enterprise") == {"ORG-MAH", "ORG-CMO", "ORG-MAH2", "ORG-CMO2"}


def test_downloads_word_and_printable_html(login):
    client = login("mah.qa")
    response = client.get("/compliance/ORG-MAH/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "自查报告" in text
    printable = client.get("/compliance/ORG-MAH/print/")
    assert printable.status_code == 200 and printable["Content-Type"].startswith("text/html")
    assert "@page" in html(printable) and "Content-Disposition" not in printable
    download = client.get("/compliance/ORG-MAH/print/", {"download": "1"})
    assert "attachment" in download["Content-Disposition"]


def test_check_now_by_a_writer_is_recorded_under_their_name(login, world):
    client = login("mah.qa")
    response = client.post("/compliance/ORG-MAH/check/")
    assert response.status_code == 302 and response.url == "/compliance/ORG-MAH/"
    scan = Scan.objects.order_by("-id").first()
    assert scan.kind == Scan.Kind.ORGANISATION and scan.scope_ref == "ORG-MAH" and scan.actor.startswith("mah.qa")
    assert client.get("/compliance/ORG-MAH/check/").status_code == 405


def test_a_viewer_may_read_but_not_run_a_check(login):
    client = login("mah.viewer")
    page = client.get("/compliance/ORG-MAH/")
    assert page.status_code == 200 and 'data-testid="check-now"' not in html(page)
    assert client.post("/compliance/ORG-MAH/check/").status_code == 403


def test_the_cmos_key_persons_years_are_withheld_from_the_mah(login):
    mah_page = html(login("mah.qa").get("/compliance/ORG-MAH/"))
    row = re.search(r'data-testid="finding-row" data-ref="134-17.key-persons".*?</tr>', mah_page, re.S)
    assert row and "PER-QP.practice_years" in row.group(0) and "不向委托方显示" in row.group(0)  # in Chinese
    cmo_page = html(login("cmo.qa").get("/compliance/ORG-CMO/"))
    row = re.search(r'data-testid="finding-row" data-ref="134-17.key-persons".*?</tr>', cmo_page, re.S)
    assert row and "不向委托方显示" not in row.group(0)


def test_the_report_page_reads_a_fixed_number_of_queries(login):
    client = login("cmo.qa")
    client.get("/compliance/ORG-CMO/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/compliance/ORG-CMO/").status_code == 200
    assert len(queries) <= 15


def test_the_findings_selector_applies_the_visibility_policy(world):
    from weituo.accounts.selectors import actor_for_user
    from weituo.compliance.selectors import finding_list

    def scopes(username: str) -> set[str]:
        return set(finding_list(actor=actor_for_user(world[username])).values_list("scope_ref", flat=True))

    assert scopes("mah.qa") == {"CON-1"}  # its contract; not its CMO's lines
    assert scopes("cmo.qa") == {"CON-1", "ORG-CMO"}
    assert scopes("mah2.qa") == {"CON-2"}  # ORG-MAH2 has no line or key person of its own
    assert scopes("inspector.js") >= {"CON-1", "CON-2", "ORG-CMO"} and "ORG-CMO2" not in scopes("inspector.js")
    assert scopes("inspector.zj") >= {"CON-2", "ORG-CMO2"} and "CON-1" not in scopes("inspector.zj")


def test_never_checked_is_shown_apart_from_clean(login):
    """An enterprise no scan has evaluated reads "未检查", not 0/0/0, and sorts before the clean ones."""
    from weituo.compliance.models import Finding
    from weituo.integrity.writes import record_update
    from weituo.registry.models import Organisation

    Finding.objects.filter(Q(enterprise__ref="ORG-MAH2") | Q(mah__ref="ORG-MAH2") | Q(cmo__ref="ORG-MAH2")).delete()
    # a clean enterprise whose name sorts before ORG-MAH2's: only "unchecked first" puts ORG-MAH2 ahead
    clean = Organisation.objects.get(ref="ORG-CMO2")
    record_update(actor=SYSTEM, instance=clean, name="Alpha 制药有限公司")
    assert clean.name < Organisation.objects.get(ref="ORG-MAH2").name
    page = html(login("platform.admin").get("/compliance/"))
    rows = dict(re.findall(r'data-testid="compliance-enterprise" data-ref="([^"]+)"(.*?)</tr>', page, re.S))
    assert 'data-testid="not-checked"' in rows["ORG-MAH2"] and ">0<" not in rows["ORG-MAH2"]
    assert 'data-testid="not-checked"' not in rows["ORG-CMO"]
    assert re.search(r'data-testid="checked-on">\d{4}-\d{2}-\d{2}<', rows["ORG-CMO"])
    assert re.search(r'data-testid="open-findings">0<', rows["ORG-CMO2"])  # checked and clean
    order = re.findall(r'data-testid="compliance-enterprise" data-ref="([^"]+)"', page)
    assert order.index("ORG-MAH2") < order.index("ORG-CMO2")
