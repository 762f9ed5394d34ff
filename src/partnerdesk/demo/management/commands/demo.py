from django.core.management.base import BaseCommand

from partnerdesk.demo.company import load_demo_company
from partnerdesk.demo.logins import print_logins


class Command(BaseCommand):
    help = "Load the demo company (idempotent: running it again adds nothing twice)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        counts = load_demo_company(seed=seed)
        if options["verbosity"]:
            for name, n in counts.items():
                self.stdout.write(f"{name}: {n}")
            print_logins(self.stdout)
