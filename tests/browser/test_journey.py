"""The MAH–CMO journey of issue #6, in a real browser, each step by the demo user whose job it is:

1. the CMO's QA (sun.li) raises a major deviation on the demo's journey batch;
2. the MAH's QA (li.na) finds it in "my deadlines" and acknowledges it;
3. the CMO investigates, adds a CAPA and implements it, and files the deviation record in the
   release package (a wrong file type is refused first, with nothing stored);
4. the CMO's QP (zhou.jun) signs the factory release: refused while the deviation is open, and the
   refusal is on the batch's timeline;
5. the CMO closes the deviation; the QP's factory release is then signed;
6. the MAH's QP (wang.qiang) signs the market release;
7. the CMO concludes a shared-line risk assessment and notifies every holder on the line;
8. the second MAH on the same line (zhao.lei) sees the redacted notice — the conclusion, the
   controls, a count of the other products — and nothing of the first MAH: not its name, products,
   batches or findings, and "not found" for its batch and event by URL.

Finally ``weituo ledger verify`` passes on the server's database. One test, because each step needs the
one before; the screenshots (``artifacts/screenshots/journey-*.png``) show each step.
"""

from __future__ import annotations

import datetime as dt
import re

from tests.browser.helpers import SCREENSHOTS, expect, refs_of, visit

PASSWORDS = {"zhou.jun": "weituo-demo-2026", "wang.qiang": "weituo-demo-2026"}
FINDINGS = "该品种清洁验证残留限度 10 ppm，最差条件已覆盖"  # li.na's product row: never shown to zhao.lei


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"journey-{name}.png", full_page=True)


def _raise_deviation(page, journey: dict) -> str:
    page.goto("/events/new/")
    form = page.get_by_test_id("event-raise-form")
    form.get_by_test_id("event-contract").select_option(journey["contract"])
    # Choosing the contract reloads the form (htmx) with that contract's batches.
    batch_option = page.get_by_test_id("event-raise-form").locator(f'option[value="{journey["batch"]}"]')
    expect(batch_option).to_have_count(1)
    form = page.get_by_test_id("event-raise-form")
    form.get_by_test_id("event-category").select_option("deviation")
    form.get_by_test_id("event-classification").select_option("major")
    form.get_by_test_id("event-title").fill("灌装工序装量偏差")
    form.get_by_test_id("event-description").fill("第 3 小时抽检装量低于下限，已隔离该时段产品。")
    form.get_by_test_id("event-batch").select_option(journey["batch"])
    form.get_by_test_id("event-raise-submit").click()
    page.wait_for_url(re.compile(r"/events/[^/]+/$"))
    expect(page.get_by_test_id("event-status")).to_have_attribute("data-status", "open")
    return page.get_by_test_id("event-ref").inner_text().strip()


def _sign(page, batch_ref: str, step: str, username: str) -> None:
    page.goto(f"/batches/{batch_ref}/release/{step}/")
    form = page.get_by_test_id(f"{step}-release-form")
    form.get_by_test_id("release-password").fill(PASSWORDS[username])
    form.get_by_test_id("release-submit").click()


def _expect_signed(page, batch_ref: str) -> None:
    """The signature went through: back on the batch page (a refusal stays on the signing page, and
    its reason is the assertion's message)."""
    done = page.get_by_test_id("batch-timeline").or_(page.get_by_test_id("release-error"))
    expect(done.first).to_be_visible(timeout=30_000)  # two Argon2 checks and a checkpoint: not instant
    error = page.get_by_test_id("release-error")
    assert error.count() == 0 or not error.is_visible(), error.inner_text()
    assert re.search(rf"/batches/{re.escape(batch_ref)}/(\?.*)?(#.*)?$", page.url), page.url


def test_deviation_to_market_release_and_the_redacted_shared_line_notice(open_page, facts, demo_server):
    journey = facts["journey"]
    batch = journey["batch"]

    # 1. The CMO's QA raises a major deviation on the batch.
    cmo = open_page("sun.li")
    event = _raise_deviation(cmo, journey)
    expect(cmo.get_by_test_id("event-due")).not_to_have_text("")
    _shot(cmo, "01-cmo-raises-deviation")

    # 2. The MAH's QA sees it in "my deadlines", with the agreement's time limit, and acknowledges it.
    mah = open_page("li.na")
    mah.goto("/deadlines/")
    row = mah.locator(f'[data-testid="deadline-row"][data-ref="{event}"]')
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-kind", "acknowledge")
    expect(mah.locator('[data-testid="nav-deadlines-count"][data-open]')).to_have_count(1)
    _shot(mah, "02-mah-deadlines")
    row.get_by_test_id("deadline-link").click()
    mah.wait_for_url(f"**/events/{event}/")
    mah.get_by_test_id("event-acknowledge-note").fill("已收到，请于调查后提交偏差调查记录。")
    mah.get_by_test_id("event-acknowledge").click()
    expect(mah.get_by_test_id("event-status")).to_have_attribute("data-status", "acknowledged")

    # 3. The CMO investigates, adds and implements a CAPA.
    cmo.goto(f"/events/{event}/")
    cmo.get_by_test_id("deviation-root-cause-input").fill("灌装泵密封圈磨损导致装量漂移")
    cmo.get_by_test_id("deviation-summary-input").fill("已更换密封圈，隔离产品复检合格。")
    cmo.get_by_test_id("deviation-investigate").click()
    expect(cmo.get_by_test_id("deviation-root-cause")).to_contain_text("密封圈")
    cmo.get_by_test_id("capa-description").fill("将灌装泵密封圈纳入预防性维护计划，每月检查")
    cmo.get_by_test_id("capa-owner-party").select_option("cmo")
    cmo.get_by_test_id("capa-due-on").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    cmo.get_by_test_id("capa-add").click()
    expect(cmo.get_by_test_id("capa-row")).to_have_count(1)
    cmo.get_by_test_id("capa-implement-note").fill("维护计划已修订并培训")
    cmo.get_by_test_id("capa-implement").click()
    expect(cmo.get_by_test_id("capa-status")).to_have_class(re.compile(r"\bstatus-implemented\b"))

    # ... and files the deviation record in the batch's release package; a wrong file type first.
    cmo.goto(f"/batches/{batch}/")
    upload = cmo.get_by_test_id("document-upload")
    upload.get_by_test_id("document-kind").select_option("deviation_record")
    upload.get_by_test_id("document-title").fill("偏差调查记录")
    upload.get_by_test_id("document-event").select_option(label=f"{event} 灌装工序装量偏差")
    upload.get_by_test_id("document-file").set_input_files(
        {"name": "record.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00not a record"}
    )
    upload.get_by_test_id("document-submit").click()
    expect(cmo.get_by_test_id("document-error")).to_contain_text(".exe")
    documents_before = cmo.get_by_test_id("document-row").count()
    cmo.goto(f"/batches/{batch}/")
    assert cmo.get_by_test_id("document-row").count() == documents_before  # nothing was stored
    upload = cmo.get_by_test_id("document-upload")
    upload.get_by_test_id("document-kind").select_option("deviation_record")
    upload.get_by_test_id("document-title").fill("偏差调查记录")
    upload.get_by_test_id("document-event").select_option(label=f"{event} 灌装工序装量偏差")
    upload.get_by_test_id("document-file").set_input_files(
        {"name": "deviation-record.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% deviation record\n"}
    )
    upload.get_by_test_id("document-submit").click()
    expect(cmo.get_by_test_id("document-row")).to_have_count(documents_before + 1)

    # 4. The CMO's QP: the factory release is refused while the deviation is open.
    qp = open_page("zhou.jun")
    qp.goto(f"/batches/{batch}/")
    blockers = qp.get_by_test_id("release-blockers")
    expect(blockers).to_be_visible()
    expect(blockers).to_contain_text(event)
    _sign(qp, batch, "factory", "zhou.jun")
    expect(qp.get_by_test_id("release-error")).to_have_attribute("data-code", "release_blocked")
    _shot(qp, "03-factory-release-refused")
    qp.goto(f"/batches/{batch}/")
    expect(qp.get_by_test_id("batch-status")).to_have_attribute("data-status", "in_production")
    expect(qp.locator('[data-testid="timeline-row"][data-action="release_refused"]')).to_have_count(1)

    # 5. The CMO closes the deviation; the factory release is then signed.
    cmo.goto(f"/events/{event}/")
    cmo.get_by_test_id("event-close-conclusion").fill("根本原因已消除，CAPA 已实施，受影响产品复检合格。")
    cmo.get_by_test_id("event-close").click()
    expect(cmo.get_by_test_id("event-status")).to_have_attribute("data-status", "closed")

    _sign(qp, batch, "factory", "zhou.jun")
    _expect_signed(qp, batch)
    expect(qp.get_by_test_id("batch-status")).to_have_attribute("data-status", "factory_released")
    expect(qp.locator('[data-testid="decision-row"][data-step="factory"]')).to_have_count(1)
    _shot(qp, "04-factory-released")

    # A second signature of the same step is refused, not recorded twice.
    _sign(qp, batch, "factory", "zhou.jun")
    expect(qp.get_by_test_id("release-error")).to_have_attribute("data-code", "already_released")

    # 6. The MAH's QP reviews and signs the market release.
    mah_qp = open_page("wang.qiang")
    mah_qp.goto(f"/batches/{batch}/release/market/")
    expect(mah_qp.get_by_test_id("package-digest")).not_to_have_text("")
    _sign(mah_qp, batch, "market", "wang.qiang")
    _expect_signed(mah_qp, batch)
    expect(mah_qp.get_by_test_id("batch-status")).to_have_attribute("data-status", "market_released")
    decisions = mah_qp.get_by_test_id("decision-row")
    expect(decisions).to_have_count(2)
    for i in range(2):
        expect(decisions.nth(i)).to_have_attribute("data-valid", re.compile(r"^(true|True|1|yes)$"))
    _shot(mah_qp, "05-market-released")

    # 7. The CMO concludes a shared-line assessment and notifies every holder on the line.
    cmo.goto("/shared-line/new/")
    form = cmo.get_by_test_id("assessment-new-form")
    form.get_by_test_id("assessment-line").select_option(facts["shared_line"])
    form.get_by_test_id("assessment-trigger").select_option("equipment_change")
    form.get_by_test_id("assessment-description").fill("灌装泵更换密封圈型号，评估对共线品种的影响。")
    form.get_by_test_id("assessment-start").click()
    cmo.wait_for_url(re.compile(r"/shared-line/[^/]+/$"))
    assessment = cmo.get_by_test_id("assessment-ref").inner_text().strip()
    risk = cmo.get_by_test_id("risk-form")
    risk.get_by_test_id("risk-product").select_option(facts["mah_products_on_shared_line"][0])
    risk.get_by_test_id("risk-findings").fill(FINDINGS)
    risk.get_by_test_id("risk-save").click()
    own_row = cmo.locator(f'[data-testid="product-risk-row"][data-ref="{facts["mah_products_on_shared_line"][0]}"]')
    expect(own_row).to_contain_text(FINDINGS)
    cmo.get_by_test_id("notify-conclusion").fill("密封圈材质变更不引入新的交叉污染风险，风险可接受。")
    cmo.get_by_test_id("notify-controls").fill("更换后首批进行清洁验证确认；密封圈纳入月度检查。")
    cmo.get_by_test_id("notify").click()
    expect(cmo.get_by_test_id("assessment-status")).to_have_attribute("data-status", "notified")
    expect(cmo.get_by_test_id("cmo-notice-row")).to_have_count(2)  # one per holder on the line
    _shot(cmo, "06-cmo-assessment-notified")

    # 8. The second MAH sees the redacted notice and nothing of the first MAH.
    other = open_page("zhao.lei")
    other.goto("/shared-line/notices/")
    # The demo seeds a notice of its own (the assessment its change started): find this journey's.
    notice_row = other.locator(f'[data-testid="notice-row"][data-ref="{assessment}"]')
    expect(notice_row).to_have_count(1)
    notice_row.get_by_test_id("notice-link").click()
    expect(other.get_by_test_id("notice-conclusion")).to_contain_text("风险可接受")
    expect(other.get_by_test_id("notice-controls")).to_contain_text("清洁验证")
    assert int(other.get_by_test_id("notice-other-count").get_attribute("data-count")) >= 1
    assert set(refs_of(other, "notice-own-product")) == set(facts["mah2_products_on_shared_line"])
    text = other.content()
    for secret in (journey["mah_name"], *journey["mah_product_names"], *journey["mah_batch_numbers"], FINDINGS):
        assert secret not in text, f"the second MAH's notice shows {secret!r}"
    _shot(other, "07-second-mah-redacted-notice")

    assert visit(other, f"/batches/{batch}/") == 404
    assert visit(other, f"/events/{event}/") == 404
    # The whole assessment is the CMO's: its address takes the second MAH to its own, redacted notice.
    assert visit(other, f"/shared-line/{assessment}/") == 200
    assert "/shared-line/notices/" in other.url
    assert FINDINGS not in other.content() and journey["mah_name"] not in other.content()
    other.goto("/batches/")
    listed = set(refs_of(other, "batch-row"))
    assert batch not in listed and set(journey["mah2_batches"]) <= listed
    other.goto("/events/")
    assert event not in set(refs_of(other, "event-row"))
    other.goto("/deadlines/")
    assert event not in set(refs_of(other, "deadline-row"))

    # Every step above is in the ledger, and the ledger verifies.
    result = demo_server.weituo("ledger", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
