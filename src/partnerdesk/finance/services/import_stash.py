"""The uploaded file of the import pages, kept in the default storage until the import is applied
or abandoned; ``prune_stashed_uploads`` deletes what is older than a day.
"""

import datetime
import os
import re
import uuid

from partnerdesk.finance.services.import_fields import EXTENSIONS

STASH_DIR = "document-imports"


# --- the stash of uploaded files (import pages) -----------------------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _stash_path(user, token: str, extension: str) -> str:
    return f"{STASH_DIR}/{user.pk}/{token}{extension}"


def stash_upload(user, uploaded) -> dict:
    """Keep an upload until the import is applied (the mapping, preview and apply steps read
    it again)."""
    from django.core.files.storage import default_storage

    name = os.path.basename(uploaded.name or "")[:100]
    extension = os.path.splitext(name)[1].lower()
    token = uuid.uuid4().hex
    uploaded.seek(0)
    path = default_storage.save(_stash_path(user, token, extension), uploaded)
    return {"token": token, "extension": extension, "name": name, "path": path}


def stashed_upload(user, data) -> dict | None:
    """The stash named by a form's hidden fields, if it is still there and the user's."""
    from django.core.files.storage import default_storage

    token, extension = data.get("token", ""), data.get("extension", "")
    if not _TOKEN.match(token) or extension not in EXTENSIONS:
        return None
    path = _stash_path(user, token, extension)
    if not default_storage.exists(path):
        return None
    return {
        "token": token,
        "extension": extension,
        "name": os.path.basename(data.get("name", ""))[:100] or f"import{extension}",
        "path": path,
    }


class StashedFile:
    """A stashed upload opened for reading, with the name the user gave it."""

    def __init__(self, stash: dict):
        from django.core.files.storage import default_storage

        self.name = stash["name"]
        self.file = default_storage.open(stash["path"], "rb")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


def discard_stash(stash: dict) -> None:
    from django.core.files.storage import default_storage

    default_storage.delete(stash["path"])


def prune_stashed_uploads(hours: int = 24) -> int:
    """Delete uploads of imports never applied, older than ``hours`` (the daily job)."""
    from django.core.files.storage import default_storage
    from django.utils import timezone

    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    if not default_storage.exists(STASH_DIR):
        return 0
    removed = 0
    user_dirs, _files = default_storage.listdir(STASH_DIR)
    for user_dir in user_dirs:
        _dirs, files = default_storage.listdir(f"{STASH_DIR}/{user_dir}")
        for name in files:
            path = f"{STASH_DIR}/{user_dir}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed
