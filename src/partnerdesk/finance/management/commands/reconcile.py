from django.core.management.base import BaseCommand, CommandError

from partnerdesk.core.errors import ApplicationError
from partnerdesk.finance.services.reconciliation import previous_week, reconcile_week


class Command(BaseCommand):
    help = "Weekly reconciliation: match a week's invoices, report, set the meeting agenda."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week YYYY-Www, e.g. 2026-W47 (default: last week)")
        parser.add_argument("--user", help="Username recorded as running it (default: system).")

    def handle(self, *args, week, user, **options):
        from django.contrib.auth import get_user_model

        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user named {user!r}.")
        try:
            recon = reconcile_week(week=week or previous_week(), actor=actor)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        report = recon.report
        blocked = ", ".join(
            f"{b['count']} ({b['amount']} {b['currency']})" for b in report["blocked"]
        )
        self.stdout.write(
            f"{recon.week} reconciled, revision {recon.revision}: {report['invoices']} invoices, "
            f"{report['lines']} lines, {report['matched_share'] or '-'} % matched, "
            f"{report['opened']} exceptions opened, {report['cleared']} cleared, "
            f"blocked {blocked or 'none'}, {recon.agenda.count()} agenda items"
        )
