"""Running an import (or its check) for an upload and recording the outcome in its state."""

import threading

from django.db import close_old_connections, connection
from django.utils.translation import override as language_override

from ..services import WriteConflict, observations_import
from .rows import MappingError
from .sources import SourceError
from .uploads import Upload


def run_import(upload: Upload, *, study, user, options, dry_run: bool, language: str) -> None:
    """Run the import (or its check) and record the outcome in the upload's state."""
    upload.write_state(status="running", dry_run=dry_run, rows=0, percent=0)

    def progress(rows: int, done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 0
        upload.write_state(status="running", dry_run=dry_run, rows=rows, percent=percent)

    with language_override(language), open(upload.source, "rb") as stream:
        try:
            report = observations_import(
                study=study,
                stream=stream,
                name=upload.meta["name"],
                options=options,
                user=user,
                dry_run=dry_run,
                progress=progress,
            )
        except (SourceError, MappingError, WriteConflict) as error:
            upload.write_state(status="failed", dry_run=dry_run, message=str(error))
            return
    upload.write_state(status="done", dry_run=dry_run, report=report.as_dict())


def run_in_background(**kwargs) -> None:
    def target():
        close_old_connections()
        try:
            run_import(**kwargs)
        except Exception as error:  # the page must learn that the job died
            kwargs["upload"].write_state(status="failed", message=str(error))
            raise
        finally:
            connection.close()

    threading.Thread(target=target, daemon=True, name="observation-import").start()
