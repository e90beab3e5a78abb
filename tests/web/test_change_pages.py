"""Change-control pages: propose, classify side by side (the higher governs), decide, implement only
once allowed, with the version on every form; the other MAH on the shared line gets 404 and an
empty list; a viewer sees no action and is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from weituo.quality.models import Change

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


def propose(client) -> Change:
    response = client.post(
        reverse("web:change_new"),
        {
            "contract": "CON-1",
            "products": ["P-1"],
            "title": "灌装机更换",
            "description": "灌装机由 A 型更换为 B 型",
            "trigger": "equipment_change",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Change.objects.get()


def act(client, change: Change, action: str, **data):
    change.refresh_from_db()
    data.setdefault("version", change.version)
    return client.post(reverse("web:change_act", args=[change.ref, action]), data)


def test_the_change_page_from_proposal_to_implementation(login):
    cmo = login("cmo.qa")
    listing = cmo.get(reverse("web:change_list")).content.decode()
    assert 'data-testid="change-new"' in listing and "变更控制" in listing  # Chinese first
    change = propose(cmo)
    page = cmo.get(reverse("web:change_detail", args=[change.ref])).content.decode()
    assert 'data-testid="change-classify-form"' in page and 'data-testid="change-decide-form"' not in page
    assert (
        act(cmo, change, "classify", change_class="minor", regulatory_path="approval", rationale="设备同型").status_code
        == 302
    )

    mah = login("mah.qa")
    act(mah, change, "classify", change_class="major", regulatory_path="report", rationale="影响无菌保证")
    page = mah.get(reverse("web:change_detail", args=[change.ref])).content.decode()
    assert 'data-testid="classification-governing" data-class="major" data-path="approval"' in page
    assert act(mah, change, "decide", decision="approve", note="同意").status_code == 302

    cmo = login("cmo.qa")
    response = act(cmo, change, "implement", on=TODAY, note="已实施")
    assert response.status_code == 409  # the regulator has not approved it yet
    assert 'data-testid="action-error" data-code="not_implementable"' in response.content.decode()
    change.refresh_from_db()
    assert change.status == "approved"

    mah = login("mah.qa")
    for step in ("submitted", "accepted"):
        assert act(mah, change, "filing", to=step, on=TODAY, reference="CYHB2600001").status_code == 302
    cmo = login("cmo.qa")
    assert act(cmo, change, "implement", on=TODAY, note="已实施").status_code == 302
    page = cmo.get(reverse("web:change_detail", args=[change.ref])).content.decode()
    assert 'data-testid="change-status" data-status="implemented"' in page
    assert 'data-testid="trail-row"' in page


def test_a_stale_form_is_refused_and_says_so(login):
    cmo = login("cmo.qa")
    change = propose(cmo)
    shown = change.version
    act(cmo, change, "classify", change_class="minor", regulatory_path="report", rationale="微小")
    response = act(
        cmo, change, "classify", version=shown, change_class="major", regulatory_path="approval", rationale="x"
    )
    assert response.status_code == 409 and 'data-testid="stale-record"' in response.content.decode()
    change.refresh_from_db()
    assert change.cmo_class == "minor"


def test_the_other_mah_on_the_shared_line_sees_nothing(login):
    change = propose(login("cmo.qa"))
    other = login("mah2.qa")
    assert other.get(reverse("web:change_detail", args=[change.ref])).status_code == 404
    assert (
        act(other, change, "classify", change_class="minor", regulatory_path="report", rationale="x").status_code == 404
    )
    listing = other.get(reverse("web:change_list")).content.decode()
    assert change.ref not in listing and 'data-testid="empty"' in listing


def test_a_viewer_sees_no_action_and_is_refused(login):
    change = propose(login("cmo.qa"))
    viewer = login("mah.viewer")
    page = viewer.get(reverse("web:change_detail", args=[change.ref])).content.decode()
    assert "change-classify-form" not in page and "change-withdraw-form" not in page
    response = act(viewer, change, "classify", change_class="minor", regulatory_path="report", rationale="x")
    assert response.status_code == 403
    assert viewer.get(reverse("web:change_new")).status_code == 403
    change.refresh_from_db()
    assert change.mah_class == ""


def test_a_bad_proposal_names_its_fields_and_writes_nothing(login):
    cmo = login("cmo.qa")
    response = cmo.post(reverse("web:change_new"), {"contract": "CON-1", "title": "", "description": ""})
    assert response.status_code == 422
    body = response.content.decode()
    for field in ("products", "title", "description"):
        assert f'data-field="{field}"' in body
    assert not Change.objects.exists()
