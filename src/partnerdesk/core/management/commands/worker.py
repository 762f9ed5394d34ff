"""``partnerdesk worker``: run queued tasks and the periodic schedule.

One process runs the django-tasks-db worker loop and, in a thread beside it, the scheduler
that enqueues periodic jobs when due. Run more workers for more throughput (PostgreSQL);
every one of them may run the scheduler, the slot table keeps each job once per slot.
"""

import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from partnerdesk.core import schedule


class Command(BaseCommand):
    help = "Run queued background tasks and the periodic schedule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=30.0,
            help="Seconds between schedule checks (default 30).",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Only run tasks; another worker runs the schedule.",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the schedule once and every queued task, then exit.",
        )

    def handle(self, *args, interval, schedule_interval, no_schedule, batch, **options):
        if batch:
            if not no_schedule:
                for name in schedule.tick():
                    self.stdout.write(f"enqueued {name}")
            self._worker(interval=0, batch=True).run()
            return
        stop = threading.Event()
        if not no_schedule:
            thread = threading.Thread(
                target=self._schedule_loop,
                args=(stop, schedule_interval),
                name="partnerdesk-scheduler",
                daemon=True,
            )
            thread.start()
        self.stdout.write("Worker running: tasks and the periodic schedule. Ctrl+C stops it.")
        worker = self._worker(interval=interval, batch=False)
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()

    def _worker(self, *, interval: float, batch: bool) -> Worker:
        return Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )

    def _schedule_loop(self, stop: threading.Event, every: float) -> None:
        while not stop.is_set():
            close_old_connections()
            try:
                for name in schedule.tick():
                    self.stdout.write(f"enqueued {name}")
            except Exception as exc:  # keep the schedule alive; the error is logged
                self.stderr.write(f"schedule tick failed: {exc}")
            finally:
                connection.close()
            stop.wait(every)
