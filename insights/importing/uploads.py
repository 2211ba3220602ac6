"""Uploaded import files waiting between their check and their import.

Each upload is a folder in IMPORT_DIR named by a random token: the file, who uploaded it for
which study and the options chosen. Its runs are ImportJob rows that name the token (the
workers that run them read the file from IMPORT_DIR, so they share it with the web servers).
Folders and finished jobs older than a day are removed.
"""

import json
import secrets
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import Http404

from ..models import ImportJob, Study
from ..services.import_jobs import import_jobs_prune

TOKEN_BYTES = 16
STALE_SECONDS = 24 * 3600


def import_dir() -> Path:
    return Path(settings.IMPORT_DIR)


class Upload:
    """An uploaded file waiting between its check and its import, with its job's state."""

    def __init__(self, token: str):
        if not token.isalnum() or len(token) != TOKEN_BYTES * 2:
            raise Http404
        self.token = token
        self.folder = import_dir() / token
        if not self.folder.is_dir():
            raise Http404

    @classmethod
    def save(cls, uploaded, *, study: Study, user) -> "Upload":
        _remove_stale_uploads()
        token = secrets.token_hex(TOKEN_BYTES)
        folder = import_dir() / token
        folder.mkdir(parents=True)
        with open(folder / "source", "wb") as target:
            for chunk in uploaded.chunks():
                target.write(chunk)
        meta = {"study": study.pk, "user": user.pk, "name": uploaded.name}
        (folder / "meta.json").write_text(json.dumps(meta))
        return cls(token)

    @property
    def meta(self) -> dict:
        return json.loads((self.folder / "meta.json").read_text())

    @property
    def source(self) -> Path:
        return self.folder / "source"

    def saved_options(self) -> dict:
        try:
            return json.loads((self.folder / "options.json").read_text())
        except (OSError, ValueError):
            return {}

    def latest_job(self) -> ImportJob | None:
        """The upload's latest run (a check or an import)."""
        return ImportJob.objects.filter(upload=self.token).order_by("-created_at", "-pk").first()

    def read_state(self) -> dict:
        job = self.latest_job()
        return job.state() if job else {}

    @classmethod
    def source_of(cls, token: str) -> Path | None:
        """The file of an upload, or None once it has been removed."""
        try:
            return cls(token).source
        except Http404:
            return None

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _remove_stale_uploads() -> None:
    import_jobs_prune(older_than=timedelta(seconds=STALE_SECONDS))
    folder = import_dir()
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and time.time() - child.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(child, ignore_errors=True)
