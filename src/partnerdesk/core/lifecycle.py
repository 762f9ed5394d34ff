"""Status lifecycles shared by every record that has one (partners, contracts, later NCRs and
8Ds): the check of a requested move, and the form that asks for it."""

from django import forms
from django.db import models
from django.utils.translation import gettext as _, gettext_lazy

from partnerdesk.core.errors import Conflict, InvalidInput


def check_transition(
    *,
    statuses: type[models.TextChoices],
    transitions: dict[str, tuple[str, ...]],
    thing: str,
    current: str,
    to_status: str,
    reason: str,
) -> str:
    """Refuse an unknown status, a move ``transitions`` does not allow (naming the allowed
    ones) and a missing reason; return the cleaned reason."""
    reason = (reason or "").strip()
    if to_status not in statuses.values:
        raise InvalidInput(_("Unknown status."), fields={"to_status": [_("Unknown status.")]})
    allowed = transitions.get(current, ())
    if to_status not in allowed:
        names = ", ".join(str(statuses(s).label) for s in allowed) or _("none")
        message = _("The %(thing)s is %(from)s and cannot become %(to)s. Allowed: %(allowed)s.") % {
            "thing": thing,
            "from": statuses(current).label,
            "to": statuses(to_status).label,
            "allowed": names,
        }
        raise Conflict(message, fields={"to_status": [message]})
    if not reason:
        raise InvalidInput(
            _("Give a reason for the status change."),
            fields={"reason": [_("This field is required.")]},
        )
    return reason


class StatusChangeForm(forms.Form):
    """A new status and the reason. Every status is offered (the disallowed ones marked) so
    that a refused move answers with the allowed ones."""

    to_status = forms.ChoiceField(label=gettext_lazy("New status"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, statuses: type[models.TextChoices], allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (s.value, s.label + ("" if s.value in allowed else " ✕")) for s in statuses
        ]
