"""The quality-event pages, through the Django test client on the real database: the list, the raise
form, an event with its deviation, CAPA, reclassifications, art. 11 duties and timeline, the action
forms (with their versions), "my deadlines" and its badge — and what another MAH on the shared line
never sees."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.events_world import (
    actor,
    make_batch,
    raise_deviation,
    second_cmo_qa,
    second_contract,
    stored,
)
from tests.web.helpers import block, html, ids_of, refs
from weituo.integrity.models import LedgerEntry
from weituo.quality import selectors, services
from weituo.quality.models import Capa, QualityEvent, RetentionObligation
from weituo.web.templatetags.weituo_web import shanghai

pytestmark = pytest.mark.django_db


def post_action(client, event, action: str, **data):
    return client.post(f"/events/{event.ref}/do/{action}/", data)


def fields_in_error(response) -> set[str]:
    return set(re.findall(r'data-testid="form-error" data-field="([^"]*)"', html(response)))


# --- rendering --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["mah.qa", "cmo.qa", "mah.viewer", "inspector.js"])
def test_the_pages_render_for_each_side(world, login, username):
    event = raise_deviation(world, batch=make_batch(world)).event
    client = login(username)
    listing = client.get("/events/")
    assert listing.status_code == 200 and refs(listing, "event-row") == {event.ref}
    detail = client.get(f"/events/{event.ref}/")
    assert detail.status_code == 200
    assert {"event-status", "event-routing", "deviation-panel", "capa-panel", "event-timeline"} <= ids_of(detail)
    assert client.get("/deadlines/").status_code == 200
    page = client.get("/")
    assert {"nav-events", "nav-deadlines", "nav-deadlines-count"} <= ids_of(page)


def test_a_viewer_is_offered_no_action(world, login):
    event = raise_deviation(world, batch=make_batch(world)).event
    page = login("mah.viewer").get(f"/events/{event.ref}/")
    offered = ids_of(page)
    assert not offered & {"event-acknowledge", "deviation-investigate", "capa-add", "event-withdraw"}
    assert "event-new" not in ids_of(login("mah.viewer").get("/events/"))


# --- raising through the form -------------------------------------------------------------------------


def test_the_cmo_raises_a_deviation_through_the_form_and_it_is_routed(world, login):
    batch = make_batch(world)
    client = login("cmo.qa")
    form = client.get("/events/new/?contract=CON-1")
    assert form.status_code == 200 and batch.ref in html(form)  # the contract's batches are offered
    response = client.post(
        "/events/new/",
        {
            "contract": "CON-1",
            "category": "deviation",
            "classification": "critical",
            "title": "灌装工序环境监测超行动限",
            "description": "B 级区沉降菌超行动限",
            "batch": batch.ref,
        },
    )
    assert response.status_code == 302
    event = QualityEvent.objects.get(title="灌装工序环境监测超行动限")
    assert response.url == f"/events/{event.ref}/"
    assert (event.raised_by_party, event.recipient.ref, event.batch, event.deviation.classification) == (
        "cmo",
        "ORG-MAH",
        batch,
        "critical",
    )
    assert (event.time_limit, event.time_unit) == (1, "working_days")  # QA-1's row for deviations
    page = client.get(response.url)
    due = block(page, "event-due")
    assert shanghai(event.due_at) in due[: due.index("</dd>")]
    assert "PER-MQA" not in html(page)  # the contact is shown by name
    assert event.recipient_contact.name in block(page, "event-contact")
    # art. 11: a critical deviation (重大偏差) on a batch gives both parties both duties, shown on the event
    assert RetentionObligation.objects.filter(event=event).count() == 4
    assert html(page).count('data-testid="obligation-row"') == 4


def test_a_deviation_found_days_ago_is_shown_notified_late(world, login):
    """The time typed in the form is Beijing time; the agreed limit (QA-1: 1 working day for a
    deviation) runs from it, and the page says the notification came late."""
    import datetime as dt

    from django.utils import timezone

    from weituo.core.calendar import CHINA

    found = (timezone.now() - dt.timedelta(days=10)).astimezone(CHINA).replace(second=0, microsecond=0)
    client = login("cmo.qa")
    response = client.post(
        "/events/new/",
        {
            "contract": "CON-1",
            "category": "deviation",
            "classification": "minor",
            "title": "称量记录缺少复核",
            "discovered_at": found.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    event = QualityEvent.objects.get(title="称量记录缺少复核")
    assert event.discovered_at == found and event.notify_by < event.raised_at
    page = client.get(response.url)
    assert shanghai(found) in block(page, "event-discovered")
    assert "event-notified-late" in ids_of(page)


def test_an_event_with_no_agreed_row_is_raised_and_flagged(world, login):
    client = login("mah.qa")
    response = client.post(
        "/events/new/", {"contract": "CON-1", "category": "pharmacovigilance", "title": "不良反应聚集信号"}
    )
    assert response.status_code == 302
    event = QualityEvent.objects.get(title="不良反应聚集信号")
    assert event.flagged and event.due_at is None
    row = block(client.get("/events/"), "event-row")
    assert 'data-testid="event-no-time-limit"' in row and 'data-testid="event-no-contact"' in row


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"category": "gossip", "classification": ""}, "category"),
        ({"category": ""}, "category"),
        ({"classification": ""}, "classification"),
        ({"contract": "CON-2"}, "contract"),  # another MAH's contract: not one the user acts for
        ({"batch": "OTHER"}, "batch"),  # replaced below by a batch of another contract
        ({"batch": "NO-SUCH-BATCH"}, "batch"),
    ],
)
def test_a_bad_raise_form_shows_field_errors_and_writes_nothing(world, login, change, field):
    make_batch(world)
    if change.get("batch") == "OTHER":
        second_contract()
        change = {"batch": make_batch(world, "250301", contract="CON-3").ref}
    client = login("cmo.qa")
    data = {"contract": "CON-1", "category": "deviation", "classification": "minor", "title": "偏差", **change}
    before = stored()
    response = client.post("/events/new/", data)
    assert response.status_code == 422
    assert field in fields_in_error(response)
    assert 'data-testid="event-raise-form"' in html(response)  # the form again, with what was typed
    assert stored() == before


# --- acting on an event -------------------------------------------------------------------------------


def test_the_recipient_acknowledges(world, login):
    event = raise_deviation(world).event
    client = login("mah.qa")
    page = client.get(f"/events/{event.ref}/")
    assert "event-acknowledge" in ids_of(page)
    response = post_action(client, event, "acknowledge", version=event.version, note="请尽快完成调查")
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.acknowledged_by) == ("acknowledged", world["mah.qa"])
    page = client.get(f"/events/{event.ref}/")
    assert 'data-status="acknowledged"' in block(page, "event-status")
    assert "请尽快完成调查" in block(page, "step-acknowledged")


def test_the_raiser_cannot_acknowledge_and_nothing_is_written(world, login):
    event = raise_deviation(world).event
    client = login("cmo.qa")
    assert "event-acknowledge" not in ids_of(client.get(f"/events/{event.ref}/"))
    before = stored()
    response = post_action(client, event, "acknowledge", version=event.version)
    assert response.status_code == 403
    assert "只有接收方（对方企业）可以确认该质量事件" in block(response, "action-error")
    assert stored() == before
    event.refresh_from_db()
    assert (event.status, event.version) == ("open", 1)


def test_a_stale_version_is_refused_and_nothing_is_written(world, login):
    deviation = raise_deviation(world)
    event = deviation.event
    seen = deviation.version
    post_action(login("mah.qa"), event, "investigate", version=seen, root_cause="过滤器泄漏")
    cmo = login("cmo.qa")  # the CMO's QA submits the page they opened before the MAH's change
    before = stored()
    response = post_action(cmo, event, "investigate", version=seen, root_cause="人员操作")
    assert response.status_code == 409
    assert 'data-testid="stale-record"' in html(response)
    assert "记录已被他人修改" in block(response, "action-error")
    assert stored() == before
    deviation.refresh_from_db()
    assert deviation.root_cause == "过滤器泄漏"


def test_a_stale_acknowledgement_is_refused(world, login):
    event = raise_deviation(world).event
    before = stored()
    response = post_action(login("mah.qa"), event, "acknowledge", version=event.version + 1)
    assert response.status_code == 409 and stored() == before


def test_a_form_without_its_version_is_refused(world, login):
    event = raise_deviation(world).event
    before = stored()
    response = post_action(login("mah.qa"), event, "acknowledge")
    assert response.status_code == 422 and "version" in fields_in_error(response)
    assert stored() == before


def test_investigation_capa_and_closure_through_the_page(world, login):
    batch = make_batch(world)
    deviation = raise_deviation(world, batch=batch)
    event = deviation.event
    post_action(login("mah.qa"), event, "acknowledge", version=1)
    client = login("cmo.qa")
    page = client.get(f"/events/{event.ref}/")
    problems = block(page, "close-problems")
    assert "尚未查明根本原因" in problems and "主要/重大偏差应有纠正预防措施" in problems

    # closing now is refused, with what blocks it; nothing is written
    event.refresh_from_db()
    before = stored()
    refused = post_action(client, event, "close", version=event.version, conclusion="关闭")
    assert refused.status_code == 422 and {"root_cause", "capas"} <= fields_in_error(refused)
    assert stored() == before

    assert (
        post_action(client, event, "investigate", version=deviation.version, root_cause="高效过滤器泄漏").status_code
        == 302
    )
    event.refresh_from_db()
    bad_date = post_action(
        client, event, "capa-add", version=event.version, description="检漏", owner_party="cmo", due_on="明天"
    )
    assert bad_date.status_code == 422 and "due_on" in fields_in_error(bad_date)
    response = post_action(
        client,
        event,
        "capa-add",
        version=event.version,
        description="高效过滤器检漏周期由一年改为半年",
        owner_party="cmo",
        due_on="2026-12-15",
    )
    assert response.status_code == 302
    capa = Capa.objects.get(event=event)
    assert "capa-implement" in ids_of(client.get(f"/events/{event.ref}/"))
    assert (
        post_action(client, event, "capa-implement", capa=capa.pk, version=capa.version, note="已修订 SOP").status_code
        == 302
    )
    capa.refresh_from_db()
    assert "capa-effectiveness" in ids_of(client.get(f"/events/{event.ref}/"))
    assert (
        post_action(
            client, event, "capa-effectiveness", capa=capa.pk, version=capa.version, effective="yes", note="半年无复发"
        ).status_code
        == 302
    )
    obligation = RetentionObligation.objects.get(event=event, party="cmo", kind="retained_sample")
    assert post_action(client, event, "fulfil", obligation=obligation.pk, note="已留样 2 倍量").status_code == 302
    event.refresh_from_db()
    assert post_action(client, event, "close", version=event.version, conclusion="对本批无影响").status_code == 302
    event.refresh_from_db()
    capa.refresh_from_db()
    obligation.refresh_from_db()
    assert (event.status, capa.status, obligation.status) == ("closed", "effective", "fulfilled")

    # the timeline: every entry of the event, its deviation, CAPA and duties, oldest first
    page = client.get(f"/events/{event.ref}/")
    timeline = block(page, "event-timeline")
    seqs = [int(s) for s in re.findall(r'data-testid="timeline-row" data-seq="(\d+)"', timeline)]
    expected = [e.seq for e in selectors.event_trail(actor=actor(world, "cmo.qa"), event=event)]
    assert seqs == expected == sorted(expected)
    records = set(re.findall(r'data-testid="timeline-record">([^<]*)<', timeline))
    assert {"CAPA 1"} <= records and any(event.ref in r for r in records)
    assert len(records) >= 4  # event, deviation, CAPA, duties
    assert "zhao" not in timeline and "cmo.qa（孙丽）" in timeline  # actor named as the ledger names them
    assert "event-acknowledge" not in ids_of(page) and "capa-add" not in ids_of(page)


def test_a_downgrade_waits_for_a_second_qa_and_both_are_in_the_timeline(world, login):
    deviation = raise_deviation(world, classification="major")
    event = deviation.event
    second_cmo_qa(world)
    client = login("cmo.qa")
    response = post_action(
        client, event, "reclassify", version=deviation.version, to_classification="minor", reason="影响评估为轻微"
    )
    assert response.status_code == 302
    page = client.get(f"/events/{event.ref}/")
    assert 'data-status="pending"' in block(page, "reclassification-row")
    assert "reclassification-approve" not in ids_of(page)  # the requester cannot approve their own
    approver = login("cmo.hoq")
    page = approver.get(f"/events/{event.ref}/")
    assert "reclassification-approve" in ids_of(page)
    pending = event.deviation.reclassifications.get()
    response = post_action(approver, event, "decide", reclassification=pending.pk, decision="approve", note="同意")
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.classification == "minor"
    timeline = block(approver.get(f"/events/{event.ref}/"), "event-timeline")
    assert timeline.count("影响评估为轻微") >= 2  # the request and the applied change, with their reason


def test_an_unknown_action_or_record_is_not_found(world, login):
    event = raise_deviation(world).event
    client = login("mah.qa")
    assert post_action(client, event, "delete", version=1).status_code == 404
    assert post_action(client, event, "capa-implement", capa=999999, version=1, note="x").status_code == 404


# --- tenant isolation ---------------------------------------------------------------------------------


def test_the_other_mah_on_the_shared_line_sees_nothing(world, login):
    event = raise_deviation(world, batch=make_batch(world)).event
    client = login("mah2.qa")
    assert client.get(f"/events/{event.ref}/").status_code == 404
    assert post_action(client, event, "acknowledge", version=1).status_code == 404
    listing = client.get("/events/")
    assert refs(listing, "event-row") == set() and event.ref not in html(listing)
    deadlines = client.get("/deadlines/")
    assert refs(deadlines, "deadline-row") == set() and event.ref not in html(deadlines)
    assert 'data-open="0"' in html(client.get("/deadlines/badge/"))
    assert "CON-1" not in html(client.get("/events/new/"))  # cannot raise on, nor learn of, CON-1
    assert event.title not in html(client.get("/events/?contract=CON-1"))


def test_one_cmos_mahs_never_see_each_others_events(world, login):
    """ORG-CMO2 serves ORG-MAH2 (CON-2): an event of CON-2 is invisible to ORG-MAH, and CON-1's to ORG-MAH2."""
    from weituo.contracts.models import CommissionContract

    theirs = services.event_raise(
        actor=actor(world, "cmo2.qa"),
        contract=CommissionContract.objects.get(ref="CON-2"),
        category="change",
        title="压片机更换",
    )
    ours = raise_deviation(world).event
    assert refs(login("mah.qa").get("/events/"), "event-row") == {ours.ref}
    assert login("mah.qa").get(f"/events/{theirs.ref}/").status_code == 404
    assert refs(login("mah2.qa").get("/events/"), "event-row") == {theirs.ref}


# --- my deadlines -------------------------------------------------------------------------------------


def test_the_deadlines_page_lists_the_event_for_the_recipient(world, login):
    event = raise_deviation(world).event
    client = login("mah.qa")
    page = client.get("/deadlines/")
    assert refs(page, "deadline-row") == {event.ref}
    row = block(page, "deadline-row")
    assert f'href="/events/{event.ref}/"' in row and shanghai(event.due_at) in row
    # the kind by the same name the reminder mail uses (quality.choices.DeadlineKind), in the UI's language
    assert "确认质量事件" in row and "acknowledge the event" not in row
    badge = html(client.get("/deadlines/badge/"))
    assert 'data-testid="nav-deadlines-count"' in badge and 'data-open="1"' in badge
    # the raiser owes no acknowledgement
    assert refs(login("cmo.qa").get("/deadlines/"), "deadline-row") == set()


def test_an_overdue_event_is_highlighted(world, login):
    event = raise_deviation(world).event
    QualityEvent.objects.filter(pk=event.pk).update(due_at=event.raised_at.replace(year=2020))
    client = login("mah.qa")
    assert 'data-overdue="true"' in block(client.get("/deadlines/"), "deadline-row")
    assert 'data-overdue="1"' in html(client.get("/deadlines/badge/"))
    assert refs(client.get("/events/?overdue=on"), "event-row") == {event.ref}
    assert "event-overdue" in ids_of(client.get(f"/events/{event.ref}/"))


def test_deadlines_of_other_workflows_link_to_their_record_or_to_nothing(world, login, monkeypatch):
    import datetime as dt

    from weituo.core.deadlines import Deadline
    from weituo.web.views import events as event_views

    class Linked:
        def get_absolute_url(self) -> str:
            return "/audits/AU-1/"

    class Broken:
        def get_absolute_url(self) -> str:
            raise ValueError("no page")

    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    fake = [
        Deadline(
            kind="audit_report",
            ref="AU-1",
            title="审核报告",
            record=Linked(),
            due_at=at,
            provisional=True,
            overdue=False,
        ),
        Deadline(
            kind="notice_feedback",
            ref="SLN-1",
            title="共线通报反馈",
            record=object(),
            due_at=None,
            provisional=False,
            overdue=False,
        ),
        Deadline(
            kind="brand_new_kind",
            ref="X-1",
            title="新事项",
            record=Broken(),
            due_at=at,
            provisional=False,
            overdue=True,
        ),
    ]
    monkeypatch.setattr(event_views, "my_deadlines", lambda *, actor: fake)
    page = login("mah.qa").get("/deadlines/")
    assert page.status_code == 200
    text = html(page)
    assert 'href="/audits/AU-1/"' in text and "deadline-provisional" in text and "deadline-no-time-limit" in text
    # a shared-line notice links to the notified assessment's notice page; an unknown kind links nowhere
    assert 'href="/shared-line/notices/SLN-1/"' in text and "X-1" in text
    assert text.count('data-testid="deadline-link"') == 2
    assert "brand_new_kind" in text
    assert "出具审核报告" in text and "反馈共线生产风险通报" in text


# --- lists --------------------------------------------------------------------------------------------


def test_the_filters(world, login):
    deviation = raise_deviation(world).event
    change = services.event_raise(
        actor=actor(world, "mah.qa"),
        contract=deviation.contract,
        category="change",
        title="变更主文件",
    )
    client = login("mah.qa")
    assert refs(client.get("/events/?category=change"), "event-row") == {change.ref}
    assert refs(client.get("/events/?category=deviation&status=open"), "event-row") == {deviation.ref}
    assert refs(client.get("/events/?contract=CON-1"), "event-row") == {deviation.ref, change.ref}
    assert refs(client.get("/events/?status=closed"), "event-row") == set()


def _grow(world, n: int) -> None:
    for i in range(n):
        raise_deviation(world, batch=make_batch(world, f"B{i:04d}-{n}"), title=f"偏差 {i}")


def test_the_list_page_does_not_query_per_row(world, login, django_assert_max_num_queries):
    client = login("mah.qa")
    client.get("/events/")  # warm the session
    _grow(world, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/events/").status_code == 200
    _grow(world, 28)  # past a page of the paginator
    with CaptureQueriesContext(connection) as large:
        response = client.get("/events/")
    assert len(refs(response, "event-row")) == 25
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(12):
        client.get("/events/")


def test_the_deadlines_page_does_not_query_per_row(world, login):
    client = login("mah.qa")
    client.get("/deadlines/")
    _grow(world, 2)
    with CaptureQueriesContext(connection) as small:
        client.get("/deadlines/")
    _grow(world, 10)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/deadlines/")
    assert len(refs(response, "deadline-row")) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_every_ledger_entry_of_the_event_is_an_entry_of_its_timeline(world, login):
    event = raise_deviation(world, batch=make_batch(world)).event
    timeline = block(login("mah.qa").get(f"/events/{event.ref}/"), "event-timeline")
    shown = {int(s) for s in re.findall(r'data-testid="timeline-row" data-seq="(\d+)"', timeline)}
    # the event, its deviation and the four art. 11 duties were created
    assert len(shown) == 6
    assert shown <= set(LedgerEntry.objects.values_list("seq", flat=True))


# --- the Chinese UI -----------------------------------------------------------------------------------


def _msgids() -> set[tuple[str, str]]:
    """Every string the event pages mark for translation: (context, msgid)."""
    from pathlib import Path

    import weituo.web

    web = Path(weituo.web.__file__).parent
    found: set[tuple[str, str]] = set()
    for template in (web / "templates" / "web" / "events").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for m in re.finditer(r'\{% translate (["\'])(.*?)\1(?: context (["\'])(.*?)\3)? %\}', text):
            found.add((m.group(4) or "", m.group(2)))
    view = (web / "views" / "events.py").read_text(encoding="utf-8")
    found |= {("events", m) for m in re.findall(r'pgettext(?:_lazy)?\(CTX, "([^"]*)"\)', view)}
    return found


def test_every_string_of_the_event_pages_has_its_chinese():
    from django.utils import translation

    msgids = _msgids()
    assert len(msgids) > 80
    with translation.override("zh-hans"):
        untranslated = [(c, m) for c, m in msgids if (translation.pgettext(c, m) if c else translation.gettext(m)) == m]
    assert untranslated == []


def test_the_pages_speak_chinese_first(world, login):
    event = raise_deviation(world, batch=make_batch(world)).event
    client = login("mah.qa")
    detail = html(client.get(f"/events/{event.ref}/"))
    for english in ("Routing", "Timeline", "Acknowledge receipt", "Corrective and preventive actions"):
        assert english not in detail
    assert "时间线" in detail and "确认接收" in detail and "主要" in detail
    assert "我的待办" in html(client.get("/deadlines/"))
    client.post("/i18n/setlang/", {"language": "en"})
    assert "Timeline" in html(client.get(f"/events/{event.ref}/"))
