"""Concurrent writers: what a write that lost a race to another one does.

Uniqueness (external IDs, content fingerprints, participant codes) is enforced by the
database; a writer that read before another one committed finds out at its insert. It then
rolls back to a savepoint, reads again (the winner's rows are visible now) and updates them.
Only when that keeps failing does the caller get a WriteConflict to report.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

T = TypeVar("T")

# A retry sees what the winner committed, so a second attempt normally succeeds; more than
# three in a row means writers keep colliding, and the caller should hear about it.
ATTEMPTS = 3

# PostgreSQL's SQLSTATE codes for a detected deadlock and a failed serialization.
_RETRYABLE_STATES = {"40P01", "40001"}


class WriteConflict(Exception):
    """Another writer changed the same rows at the same moment; nothing of this write was kept.

    The message says so in words (the API answers 409 with it, commands print it).
    """

    code = "concurrent_import"

    def __init__(self, message: str = "", *, code: str = ""):
        super().__init__(
            message
            or _(
                "Another request was importing the same rows at the same moment; nothing was "
                "saved. Send this request again."
            )
        )
        self.code = code or self.code

    @property
    def message(self) -> str:
        return str(self.args[0])


def is_retryable(error: Exception) -> bool:
    """A unique violation, deadlock or serialization failure: another writer got there first."""
    if isinstance(error, IntegrityError):
        return True
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and (
        getattr(cause, "sqlstate", None) in _RETRYABLE_STATES
    )


def retry_on_conflict(write: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Run ``write`` in a savepoint; when it collides with another writer, run it again.

    ``write`` must read what it needs itself, so that a second attempt sees the rows the
    other writer committed. Raises WriteConflict after ``attempts`` collisions.
    """
    last: Exception | None = None
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                return write()
        except (IntegrityError, OperationalError) as error:
            if not is_retryable(error):
                raise
            last = error
    raise WriteConflict() from last


class WrittenIds:
    """The ids of the rows one import has written so far.

    A bitmap from the first id the import could have been given, so memory stays small
    however many rows it writes, and rows another writer inserted meanwhile (ids interleave)
    are not mistaken for this import's own.
    """

    def __init__(self, first: int):
        self.first = first
        self._bits = bytearray()

    def add(self, pk: int) -> None:
        offset = pk - self.first
        if offset < 0:
            return
        byte = offset >> 3
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits)))
        self._bits[byte] |= 1 << (offset & 7)

    def __contains__(self, pk: int) -> bool:
        offset = pk - self.first
        byte = offset >> 3
        return offset >= 0 and byte < len(self._bits) and bool(self._bits[byte] & 1 << (offset & 7))
