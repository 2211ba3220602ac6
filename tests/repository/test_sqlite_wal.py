"""The embedded SQLite database runs in write-ahead-log mode, so pages keep reading while a
background import holds the write lock."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def database_settings(**env) -> dict:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    code = (
        "import json, repository.settings as s; "
        "print(json.dumps(s.DATABASES['default'], default=str))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        env={**environment, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def test_sqlite_uses_write_ahead_logging_and_postgres_is_left_alone():
    sqlite = database_settings()
    assert sqlite["ENGINE"].endswith("sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    postgres = database_settings(DATABASE_URL="postgres://u@db.example:5432/insights")
    assert "init_command" not in postgres.get("OPTIONS", {})
