"""``partnerdesk start``: what ``make run`` calls.

Migrates, syncs the roles, loads the demo company into an empty database, prints the URL and
the demo logins, starts a worker as a child process and serves on 127.0.0.1 (``PORT``).
"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from partnerdesk.accounts.services import sync_roles


class Command(BaseCommand):
    help = "Migrate, load the demo when empty, run a worker and serve on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, port, no_worker, no_demo, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        sync_roles()
        from partnerdesk.partners.models import Partner

        if not no_demo and not Partner.objects.exists():
            self.stdout.write("Empty database: loading the demo company…")
            call_command("demo", verbosity=0)
        from partnerdesk.demo.logins import print_logins

        print_logins(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\nPartnerdesk: http://127.0.0.1:{port}/\n"))
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "partnerdesk", "worker"])
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
