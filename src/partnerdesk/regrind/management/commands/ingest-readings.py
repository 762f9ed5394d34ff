import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerdesk.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Ingest an equipment CSV export of dosing readings (any size; '-' reads standard "
        "input). Resends change nothing; refused rows are listed with their reasons."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, or - for standard input")
        parser.add_argument("--user", required=True, help="Username the ingest runs as.")
        parser.add_argument(
            "--strict", action="store_true", help="All or nothing: store nothing if a row is bad."
        )
        parser.add_argument(
            "--check", action="store_true", help="Run every check, store nothing, report."
        )
        parser.add_argument(
            "--show", type=int, default=20, help="How many refused rows to print (default 20)."
        )

    def handle(self, *args, file, user, strict, check, show, **options):
        from django.contrib.auth import get_user_model

        from partnerdesk.regrind.services.ingest import readings_ingest_csv
        from partnerdesk.regrind.services.ingest_messages import describe

        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {user!r}.")
        path = None if file == "-" else Path(file)
        if path is not None and not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            if path is None:
                ingest = readings_ingest_csv(
                    user=actor,
                    stream=sys.stdin.buffer,
                    filename="stdin",
                    strict=strict,
                    check_only=check,
                )
            else:
                with path.open("rb") as stream:
                    ingest = readings_ingest_csv(
                        user=actor,
                        stream=stream,
                        filename=path.name,
                        strict=strict,
                        check_only=check,
                    )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"ingest {ingest.pk} {ingest.status}: {ingest.rows} rows, {ingest.stored} stored, "
            f"{ingest.duplicates} already stored, {ingest.refused} refused"
        )
        for rejected in ingest.rejections.order_by("row")[: max(show, 0)]:
            reasons = "; ".join(e["message"] for e in describe(rejected.errors))
            self.stdout.write(f"  row {rejected.row}: {reasons}")
