from django.core.management.base import BaseCommand, CommandError

from partnerdesk.core.errors import ApplicationError
from partnerdesk.performance.periods import parse_period
from partnerdesk.performance.services.closing import close_month, period_reopen


class Command(BaseCommand):
    help = "Close a month: service-level results, credits, earn-backs and scores."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument(
            "--reopen",
            metavar="REASON",
            help="Reopen the closed month with this reason, then close it anew.",
        )
        parser.add_argument("--user", help="Username recorded as closing it (default: system).")

    def handle(self, *args, period, reopen, user, **options):
        from django.contrib.auth import get_user_model

        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user named {user!r}.")
        try:
            month = parse_period(period)
            if reopen:
                period_reopen(user=actor, period=month, reason=reopen, check_permission=False)
            close = close_month(actor=actor, period=month)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        summary = close.summary
        self.stdout.write(
            f"{month:%Y-%m} closed, revision {close.revision}: "
            f"{summary['service_levels']} service levels, {summary['breaches']} breaches, "
            f"{summary['credits']} credits {summary['credit_totals']}, "
            f"{summary['earned_back']} earned back, {summary['partners_scored']} partners scored"
        )
