"""Signals raised by the monitoring are acknowledged by the people on the line: who looked at
it, when, and what they found and did (the cause and the action). An acknowledgement is kept
as it was given; a second one is refused, naming the first."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import Conflict, InvalidInput
from partnerdesk.core.services import require_perm
from partnerdesk.regrind.choices import SignalStatus
from partnerdesk.regrind.models import Signal

NOTE_MAX = 2000


def earlier_open(signal: Signal):
    """The open signals of the same chart and rule before this one: a run that keeps going
    signals on every point, and one look at the chart explains them all."""
    return Signal.objects.filter(
        chart_id=signal.chart_id,
        rule=signal.rule,
        status=SignalStatus.OPEN,
        point_at__lt=signal.point_at,
    )


def signal_acknowledge(*, user, signal: Signal, note: str, with_earlier: bool = False) -> int:
    """Acknowledge an open signal with a note on its cause and the action taken; with
    ``with_earlier`` also the earlier open signals of the same chart and rule, each with the
    same note and its own audit row. Returns how many were acknowledged."""
    require_perm(user, "regrind.change_signal")
    note = (note or "").strip()
    if not note:
        message = _("Say what caused the signal and what was done about it.")
        raise InvalidInput(message, fields={"note": [message]})
    if len(note) > NOTE_MAX:
        message = _("At most %(max)s characters.") % {"max": NOTE_MAX}
        raise InvalidInput(message, fields={"note": [message]})
    with transaction.atomic():
        signal = Signal.objects.select_for_update().get(pk=signal.pk)
        if signal.status == SignalStatus.ACKNOWLEDGED:
            who = signal.acknowledged_by
            name = (who.get_full_name() or who.username) if who else _("someone")
            when = timezone.localtime(signal.acknowledged_at) if signal.acknowledged_at else None
            raise Conflict(
                _("This signal was acknowledged already by %(who)s at %(when)s.")
                % {"who": name, "when": f"{when:%Y-%m-%d %H:%M}" if when else "—"}
            )
        targets = [signal]
        if with_earlier:
            targets += list(earlier_open(signal).select_for_update().order_by("point_at"))
        now = timezone.now()
        for target in targets:
            before = snapshot(target)
            target.status = SignalStatus.ACKNOWLEDGED
            target.acknowledged_by = user
            target.acknowledged_at = now
            target.note = note
            target.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "note"])
            record_change(actor=user, instance=target, action=AuditAction.UPDATE, before=before)
    return len(targets)
