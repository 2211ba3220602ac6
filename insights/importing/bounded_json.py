"""JSON read within bounds, so a hostile file cannot exhaust memory.

A file of nested brackets (``[[[[...]]]]``) costs ijson's prefixed events and ``json.loads``
memory or recursion that grows with the depth; one enormous string or list costs as much as
its size. Import records are small and shallow, so both are bounded: MAX_DEPTH levels of
nesting, and MAX_VALUE_BYTES for one record (a JSON Lines line, a Telegram message).
"""

from collections.abc import Iterator
from typing import BinaryIO

import ijson

MAX_DEPTH = 32
MAX_VALUE_BYTES = 1024 * 1024
# Estimated cost of a number, true/false, null, list or object towards MAX_VALUE_BYTES.
VALUE_COST = 8


class LimitExceeded(Exception):
    """A JSON value nests too deeply (TooDeep) or is too large (TooLarge)."""


class TooDeep(LimitExceeded):
    pass


class TooLarge(LimitExceeded):
    pass


def depth_exceeds(value, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class _MeteredReader:
    """A stream that fails when the parser reads too much without producing an event.

    The parser buffers a string or number until it ends, so a single value of a gigabyte
    would be held whole: this stops it once MAX_VALUE_BYTES have been read in one go.
    """

    def __init__(self, stream: BinaryIO, limit: int):
        self.stream, self.limit, self.unspent = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.unspent += len(data)
        if self.unspent > self.limit:
            raise TooLarge
        return data


class Events:
    """The file's parser events, with nesting depth checked and kept in ``depth``.

    Raises TooDeep, TooLarge, or ijson's JSONError (and ValueError for numbers Python will
    not convert) for a broken file.
    """

    def __init__(self, stream: BinaryIO, *, max_depth: int = MAX_DEPTH):
        self.reader = _MeteredReader(stream, MAX_VALUE_BYTES)
        self.events = ijson.basic_parse(self.reader, use_float=True)
        self.max_depth = max_depth
        self.depth = 0
        self._building: list = []

    @property
    def partial(self):
        """What the last build() had built when it stopped (for naming it in an error)."""
        return self._building[0] if self._building else None

    def __iter__(self) -> Iterator[tuple[str, object]]:
        return self

    def __next__(self) -> tuple[str, object]:
        event, value = next(self.events)
        self.reader.unspent = 0
        if event in {"start_map", "start_array"}:
            self.depth += 1
            if self.depth > self.max_depth:
                raise TooDeep
        elif event in {"end_map", "end_array"}:
            self.depth -= 1
        return event, value

    def skip(self, event: str) -> None:
        """Read past the value that ``event`` starts, building nothing."""
        if event not in {"start_map", "start_array"}:
            return
        depth = self.depth - 1
        while self.depth > depth:
            next(self)

    def build(self, event: str, value, *, budget: int = MAX_VALUE_BYTES):
        """The value that ``event`` starts, built whole; TooLarge past ``budget``."""
        if event not in {"start_map", "start_array"}:
            return value
        root: list = []
        self._building = root
        containers: list = [root]
        key = None
        while True:
            if event == "map_key":
                key = value
                budget -= len(value)
            elif event in {"end_map", "end_array"}:
                containers.pop()
                if len(containers) == 1:
                    return root[0]
            else:
                if event == "start_map":
                    item = {}
                elif event == "start_array":
                    item = []
                else:
                    item = value
                budget -= len(item) if isinstance(item, str) else VALUE_COST
                top = containers[-1]
                if isinstance(top, list):
                    top.append(item)
                else:
                    top[key] = item
                if event in {"start_map", "start_array"}:
                    containers.append(item)
            if budget < 0:
                raise TooLarge
            event, value = next(self)
