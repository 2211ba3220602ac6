"""Restoring a hostile backup file: a clear message, never a traceback."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_a_deeply_nested_backup_is_refused_with_a_message(tmp_path):
    path = tmp_path / "backup.json"
    path.write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(CommandError, match="nests values too deeply"):
        call_command("import_repository", str(path), verbosity=0)
