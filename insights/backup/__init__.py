"""A complete, versioned JSON backup of the repository, and its all-or-nothing restore.

The backup holds every tag group, tag, alias, participant, study, observation, insight,
piece of evidence, insight link, decision and decision status change with its primary key and
exact timestamps, and the users they name (username, active flag and roles; never passwords
or e-mail addresses). API tokens and the search index are not in it: tokens are secrets,
and the index is rebuilt from the restored rows.

format.py says what a backup file and its values are, writer.py writes one, checks.py checks
a loaded one's rows, and restorer.py writes them into an empty repository.
"""

from .format import FORMAT, VERSION, BackupError, load_backup
from .restorer import RestoreSummary, restore_backup
from .writer import export_backup

__all__ = [
    "FORMAT",
    "VERSION",
    "BackupError",
    "RestoreSummary",
    "export_backup",
    "load_backup",
    "restore_backup",
]
