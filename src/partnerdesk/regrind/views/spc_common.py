"""What the SPC, ingest and ranking pages share: a row or 404, a permission or 404, a safe
"back to" address, and the acknowledge forms of a list of signals."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from partnerdesk.core.errors import ApplicationError
from partnerdesk.regrind.choices import SignalStatus
from partnerdesk.regrind.forms_spc import AcknowledgeForm
from partnerdesk.regrind.rule_labels import rule_label


def get_or_404(selector, **kwargs):
    """Call a ``*_get`` selector; a row the user may not see (or act on) is a 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def require(user, *perms: str) -> None:
    """A page or action the user may not use does not exist for them (404, like rows)."""
    if not all(user.has_perm(perm) for perm in perms):
        raise Http404


def run(request, form, call, *, success_message=None):
    """Validate ``form``, then ``call(cleaned_data)`` (a service). A refusal's message goes at
    the top of the form (unless it only sums up the field errors), its field errors next to
    their fields; returns the result, or None."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ApplicationError as exc:
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.fields.items())
        if exc.message != summary or not exc.fields:
            form.add_error(None, exc.message)
        for name, msgs in exc.fields.items():
            for msg in msgs:
                if name in form.fields:
                    form.add_error(name, msg)
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def back_to(request, fallback: str) -> str:
    """The ``next`` address of a form when it is on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def with_ack_forms(user, signals) -> list:
    """Give each signal its rule's name and, when it is open and the user may acknowledge,
    an acknowledge form."""
    signals = list(signals)
    may = user.has_perm("regrind.change_signal")
    for signal in signals:
        signal.rule_text = rule_label(signal.rule)
        signal.ack_form = (
            AcknowledgeForm(auto_id=f"id_ack{signal.pk}_%s")
            if may and signal.status == SignalStatus.OPEN
            else None
        )
    return signals
