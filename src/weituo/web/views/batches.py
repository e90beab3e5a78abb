"""Batch pages: the list, recording a batch, a batch with its release package, the two-step release
(factory release by the CMO's QP, market release by the holder's QP — Notice 2025-134 art. 12) and
the batch's timeline.

The views only parse what was typed and show what the selectors return; the batches services decide
and write. The release services write the record of a refused release in their own transaction, so
they are called here outside any transaction (ATOMIC_REQUESTS is off).

The signing page carries the signing session's token (``batches.signing``), issued when it was shown;
the release service refuses a signature whose session is older than ``WEITUO_SIGNING_WINDOW_SECONDS``,
so the QP signs what they have just reviewed. The password is checked through ``authenticate``
(``accounts.reauth.lockout_counted``), so wrong passwords at signing count toward the login lockout.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from weituo.accounts.reauth import locked_out_error, lockout_counted
from weituo.batches.choices import BatchStatus, DocumentKind, ReleaseStep
from weituo.batches.models import Batch, ReleaseDecision, ReleaseDocument, TestResult
from weituo.batches.permissions import next_release_step, step_name
from weituo.batches.selectors import (
    batch_abilities,
    batch_create_options,
    batch_filter_options,
    batch_get,
    batch_list,
    batch_signing_open,
    batch_trail,
    release_decisions,
    release_document_get,
    release_package,
    release_package_digest,
)
from weituo.batches.services import (
    batch_create,
    batch_factory_release,
    batch_market_release,
    batch_reject,
    batch_result_add,
    release_document_add,
)
from weituo.batches.signing import signing_window
from weituo.core.actors import Actor
from weituo.core.errors import ApplicationError, ErrorDetail, NotFound, PermissionDenied, ValidationFailed, http_status
from weituo.core.i18n import messages
from weituo.integrity.audited import object_type
from weituo.integrity.services import SignatureRefused
from weituo.quality.selectors import event_list, retention_obligation_list

from ..actions import form_details
from ..files import stored_file_response
from ..forms import TestIds, _choices
from ..shell import page, paginate, query_without_page
from ..trail import TrailRow, timeline

# --- forms: they parse what was typed; the services check it and decide -------------------------


class BatchFilter(TestIds, forms.Form):
    testid_prefix = "filter"

    product = forms.ChoiceField(label=gettext_lazy("Product"), required=False, choices=[])
    contract = forms.ChoiceField(label=pgettext_lazy("batches", "Contract"), required=False, choices=[])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[])

    def __init__(self, *args: Any, products: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—"), *((p.ref, p.name) for p in products)]
        self.fields["contract"].choices = [("", "—"), *((c.ref, c.number) for c in contracts)]
        self.fields["status"].choices = _choices(BatchStatus, "—")
        self._set_testids()


class BatchForm(TestIds, forms.Form):
    testid_prefix = "batch"

    contract = forms.ModelChoiceField(label=pgettext_lazy("batches", "Contract"), queryset=None)
    product = forms.ModelChoiceField(label=gettext_lazy("Product"), queryset=None)
    line = forms.ModelChoiceField(label=gettext_lazy("Line"), queryset=None)
    number = forms.CharField(label=gettext_lazy("Batch number"), max_length=60)
    manufactured_on = forms.DateField(
        label=gettext_lazy("Manufactured on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expiry_on = forms.DateField(label=gettext_lazy("Expiry date"), widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity (actual yield)"), min_value=0, max_digits=14, decimal_places=2
    )
    quantity_unit = forms.CharField(label=gettext_lazy("Unit"), max_length=30)
    theoretical_quantity = forms.DecimalField(
        label=gettext_lazy("Theoretical yield"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    def __init__(self, *args: Any, options: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = options.contracts
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} · {c.mah.name}"
        self.fields["product"].queryset = options.products
        self.fields["product"].label_from_instance = lambda p: p.name
        self.fields["line"].queryset = options.lines
        self.fields["line"].label_from_instance = lambda line: f"{line.name} ({line.workshop.site.name})"
        self._set_testids()


class DocumentForm(TestIds, forms.Form):
    testid_prefix = "document"

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[])
    title = forms.CharField(label=pgettext_lazy("batches", "Title"), max_length=200)
    # an empty file passes the form: the release service refuses it, with its bilingual reason
    file = forms.FileField(label=pgettext_lazy("batches", "File"), allow_empty_file=True)
    event = forms.ModelChoiceField(
        label=gettext_lazy("Deviation recorded (deviation record only)"), queryset=None, required=False
    )

    def __init__(self, *args: Any, deviations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(DocumentKind)
        self.fields["event"].queryset = deviations
        self.fields["event"].label_from_instance = lambda e: f"{e.ref} {e.title}"
        self._set_testids()


class ResultForm(TestIds, forms.Form):
    testid_prefix = "result"

    test_name = forms.CharField(label=pgettext_lazy("batches", "Test"), max_length=200)
    specification = forms.CharField(label=pgettext_lazy("batches", "Specification"), max_length=300)
    result = forms.CharField(label=pgettext_lazy("batches", "Result"), max_length=300)
    passed = forms.TypedChoiceField(
        label=pgettext_lazy("batches", "Complies"),
        coerce=lambda v: v == "yes",
        choices=[("yes", gettext_lazy("complies")), ("no", gettext_lazy("does not comply"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


class ReleaseForm(forms.Form):
    """Every field optional on purpose: a blank password or a missing page stamp is a refused
    signature, refused (and ledgered) by the release service, not a form error that leaves no trace."""

    password = forms.CharField(
        label=gettext_lazy("Your password (re-enter to sign)"),
        required=False,
        widget=forms.PasswordInput(attrs={"data-testid": "release-password", "autocomplete": "current-password"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"data-testid": "release-reason"}),
    )
    signing_token = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RejectForm(TestIds, forms.Form):
    testid_prefix = "reject"

    reason = forms.CharField(label=gettext_lazy("Reason for not releasing"), max_length=1000, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


def _error_details(error: ApplicationError) -> list[ErrorDetail]:
    """What to show of a refusal: its message, then each reason it gives."""
    return [ErrorDetail(error.message_zh, error.message_en), *error.details]


# --- list and new batch ---------------------------------------------------------------------------


@page
def batch_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    products, contracts = batch_filter_options(actor=actor)
    products, contracts = list(products), list(contracts)
    form = BatchFilter(request.GET, products=products, contracts=contracts)
    form.is_valid()
    f = {k: v for k, v in form.cleaned_data.items() if v}
    product = next((p for p in products if p.ref == f.get("product")), None)
    contract = next((c for c in contracts if c.ref == f.get("contract")), None)
    qs = batch_list(actor=actor, product=product, contract=contract, status=f.get("status", ""))
    context = {
        "form": form,
        "page_obj": paginate(request, qs),
        "query": query_without_page(request),
        "may_create": bool(batch_create_options(actor=actor).contracts.exists()),
        "active_nav": "batches",
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "web/batches/_table.html", context)
    return render(request, "web/batches/list.html", context)


@page
def batch_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    options = batch_create_options(actor=actor)
    if not options.contracts.exists():
        raise PermissionDenied(
            code="not_the_cmo",
            **messages(gettext_lazy("only a CMO of a commission contract records batches")),
        )
    errors: list[ErrorDetail] = []
    status = 200
    if request.method == "POST":
        form = BatchForm(request.POST, options=options)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                batch = batch_create(
                    actor=actor,
                    contract=data.pop("contract"),
                    product=data.pop("product"),
                    line=data.pop("line"),
                    number=data.pop("number").strip(),
                    **data,
                )
            except ValidationFailed as e:
                errors = e.details
            else:
                return redirect("web:batch_detail", batch.ref)
        else:
            errors = form_details(form)
        status = 422
    else:
        form = BatchForm(options=options)
    return render(
        request, "web/batches/new.html", {"form": form, "errors": errors, "active_nav": "batches"}, status=status
    )


# --- a batch --------------------------------------------------------------------------------------


def _event_url(ref: str) -> str:
    # The event pages belong to the events area of the web app; until they are routed, their address.
    try:
        return reverse("web:event_detail", args=[ref])
    except NoReverseMatch:
        return f"/events/{ref}/"


def _timeline(actor: Actor, batch: Batch, documents: list, results: list, decisions: list) -> list[TrailRow]:
    """The batch's ledger entries, oldest first: the batch, its documents, results, release decisions
    and their signatures, and every refused release."""
    entries = batch_trail(actor=actor, batch=batch)
    names: dict[tuple[str, str], str] = {
        (object_type(Batch), str(batch.pk)): f"{_('Batch')} {batch.number}",
        **{(object_type(ReleaseDocument), str(d.pk)): f"{_('Release document')} {d.title}" for d in documents},
        **{(object_type(TestResult), str(r.pk)): f"{_('Test result')} {r.test_name}" for r in results},
        **{(object_type(ReleaseDecision), str(d["decision"].pk)): str(d["step_label"]) for d in decisions},
    }
    # the step as this batch's kind names it (a device's 生产放行)
    render = {(object_type(ReleaseDecision), "step"): lambda step: str(_step_label(batch, step))}
    return timeline(entries, actor=actor, names=names, render=render)


def _step_label(batch: Batch, step: str) -> Any:
    """The step as the services name it (a drug's 出厂放行, a device's 生产放行), translated when shown:
    the choice's label names both, which reads wrong on either."""
    return step_name(batch, step)


def _decisions(actor: Actor, batch: Batch) -> list[dict[str, Any]]:
    decisions = release_decisions(actor=actor, batch=batch)
    for item in decisions:
        item["step_label"] = _step_label(batch, item["decision"].step)
    return decisions


def _detail_context(request: HttpRequest, actor: Actor, batch: Batch, **extra: Any) -> dict[str, Any]:
    package = release_package(actor=actor, batch=batch)
    decisions = _decisions(actor, batch)
    events = list(event_list(actor=actor, batch=batch))
    deviations = event_list(actor=actor, batch=batch, category="deviation")
    step = next_release_step(batch)
    blockers = {ReleaseStep.FACTORY: package.factory_blockers, ReleaseStep.MARKET: package.market_blockers}
    context = {
        "batch": batch,
        "package": package,
        "decisions": decisions,
        "events": [(e, _event_url(e.ref)) for e in events],
        "obligations": list(retention_obligation_list(actor=actor, batch=batch)),
        "abilities": batch_abilities(actor=actor, batch=batch),
        "next_step": step,
        "blockers": blockers.get(step, []) if step else [],
        "timeline": _timeline(actor, batch, package.documents, package.results, decisions),
        "document_form": DocumentForm(deviations=deviations),
        "result_form": ResultForm(),
        "reject_form": RejectForm(initial={"version": batch.version}),
        "active_nav": "batches",
    }
    context.update(extra)
    return context


@page
def batch_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    batch = batch_get(actor=actor, ref=ref)
    return render(request, "web/batches/detail.html", _detail_context(request, actor, batch))


@page
def batch_document_add(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    batch = batch_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect("web:batch_detail", batch.ref)
    form = DocumentForm(
        request.POST, request.FILES, deviations=event_list(actor=actor, batch=batch, category="deviation")
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            release_document_add(
                actor=actor, batch=batch, kind=data["kind"], title=data["title"], file=data["file"], event=data["event"]
            )
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as e:
            errors, status = _error_details(e), http_status(e)
        else:
            return redirect(reverse("web:batch_detail", args=[batch.ref]) + "#package")
    else:
        errors, status = form_details(form), 422
    context = _detail_context(request, actor, batch, document_form=form, document_errors=errors)
    return render(request, "web/batches/detail.html", context, status=status)


@page
def batch_result_add_view(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    batch = batch_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect("web:batch_detail", batch.ref)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            batch_result_add(actor=actor, batch=batch, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as e:
            errors, status = _error_details(e), http_status(e)
        else:
            return redirect(reverse("web:batch_detail", args=[batch.ref]) + "#results")
    else:
        errors, status = form_details(form), 422
    context = _detail_context(request, actor, batch, result_form=form, result_errors=errors)
    return render(request, "web/batches/detail.html", context, status=status)


@page
def batch_document_download(request: HttpRequest, actor: Actor, ref: str, pk: int) -> HttpResponse:
    """A file of the release package, served only to those who may see the batch (never by MEDIA_URL),
    and only if it still matches its recorded SHA-256 (missing: 404; altered: 409)."""
    batch = batch_get(actor=actor, ref=ref)
    document = release_document_get(actor=actor, batch=batch, pk=pk)
    return stored_file_response(
        request,
        document.file,
        document.sha256,
        what=gettext_lazy("release document"),
        ref=f"{batch.ref}#{document.pk}",
    )


@page
def batch_reject_view(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    batch = batch_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect("web:batch_detail", batch.ref)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        batch_reject(
            actor=actor,
            batch=batch,
            reason=form.cleaned_data.get("reason") or "",
            expected_version=form.cleaned_data.get("version") or 0,
        )
    except NotFound:
        raise
    except ApplicationError as e:
        batch = batch_get(actor=actor, ref=ref)
        context = _detail_context(request, actor, batch, reject_form=form, reject_errors=_error_details(e))
        return render(request, "web/batches/detail.html", context, status=http_status(e))
    return redirect(reverse("web:batch_detail", args=[batch.ref]) + "#decisions")


# --- the release (signing page) -----------------------------------------------------------------

RELEASE_SERVICES = {ReleaseStep.FACTORY: batch_factory_release, ReleaseStep.MARKET: batch_market_release}


def _release_context(actor: Actor, batch: Batch, step: str, **extra: Any) -> dict[str, Any]:
    package = release_package(actor=actor, batch=batch)
    return {
        "batch": batch,
        "step": step,
        "step_label": _step_label(batch, step),
        "package": package,
        "digest": release_package_digest(actor=actor, batch=batch),
        "blockers": package.factory_blockers if step == ReleaseStep.FACTORY else package.market_blockers,
        "deviations": [(e, _event_url(e.ref)) for e in event_list(actor=actor, batch=batch)],
        "decisions": _decisions(actor, batch),
        "may_sign": getattr(batch_abilities(actor=actor, batch=batch), f"{step}_release"),
        "form": ReleaseForm(
            initial={
                "signing_token": batch_signing_open(actor=actor, batch=batch, step=step).token,
                "version": batch.version,
            }
        ),
        "window_minutes": f"{signing_window().total_seconds() / 60:g}",
        "active_nav": "batches",
        **extra,
    }


def _locked_out(request: HttpRequest, error: ApplicationError) -> ApplicationError:
    """A refused signature that locked the signer's account (django-axes counts wrong passwords at
    signing with failed logins): the refusal in weituo's own words, on its own page. Clearing the
    flag keeps axes' middleware from replacing the page with its plain 429 answer; the service has
    already ledgered the refusal (``release_refused``)."""
    if not isinstance(error, SignatureRefused) or not getattr(request, "axes_locked_out", False):
        return error
    request.axes_locked_out = False  # type: ignore[attr-defined]
    return locked_out_error()


@page
def batch_release(request: HttpRequest, actor: Actor, ref: str, step: str) -> HttpResponse:
    if step not in RELEASE_SERVICES:
        raise Http404("unknown release step")
    batch = batch_get(actor=actor, ref=ref)
    if request.method != "POST":
        return render(request, "web/batches/release.html", _release_context(actor, batch, step))
    form = ReleaseForm(request.POST)
    form.is_valid()  # every field is optional: what is wrong is refused by the service
    data = form.cleaned_data
    try:
        RELEASE_SERVICES[step](
            actor=actor,
            batch=batch,
            password=data.get("password") or "",
            reason=(data.get("reason") or "").strip(),
            signing_token=data.get("signing_token") or "",
            check_password=lockout_counted(request),
            expected_version=data.get("version") or 0,
        )
    except NotFound:
        raise
    except ApplicationError as refusal:
        e = _locked_out(request, refusal)
        batch = batch_get(actor=actor, ref=ref)  # as it is now: the page shows the current package
        status = http_status(e)
        context = _release_context(actor, batch, step, release_error=e, release_errors=_error_details(e))
        return render(request, "web/batches/release.html", context, status=status)
    return redirect(reverse("web:batch_detail", args=[batch.ref]) + "#decisions")
