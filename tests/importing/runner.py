"""Run the file importer on text or bytes, as the command and the admin page do."""

import io

from insights.services import ImportOptions, observations_import


def run(study, content, *, name="file.csv", encoding="utf-8", dry_run=False, **options):
    """Import `content` (text is encoded with `encoding`) into `study` and return the report."""
    data = content if isinstance(content, bytes) else content.encode(encoding)
    return observations_import(
        study=study,
        stream=io.BytesIO(data),
        name=name,
        options=ImportOptions(**options),
        dry_run=dry_run,
    )
