"""Helpers for tests that race writers against each other in threads (PostgreSQL)."""

import threading
from collections.abc import Callable

from django.db import connection

# Long enough for a loaded CI machine, short enough that a hang fails instead of stalling.
TIMEOUT = 60


def race(*calls: Callable, timeout: float = TIMEOUT) -> tuple[list, list]:
    """Run the calls in threads started together; their results and exceptions, in order.

    Each thread closes its database connection at the end, so the test database can be
    dropped; a thread still running after ``timeout`` fails the test.
    """
    start = threading.Barrier(len(calls), timeout=timeout)
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            start.wait()
            results[index] = call()
        except BaseException as error:  # the test reports what each writer got
            errors[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a writer is still running"
    return results, errors


def meet_after(function: Callable, *, parties: int, timeout: float = TIMEOUT) -> Callable:
    """``function``, made to wait on its first call in each thread until ``parties`` threads
    have called it: every writer has read what exists before any of them writes.

    Later calls (a retry, the next chunk of an import) go straight through.
    """
    barrier = threading.Barrier(parties, timeout=timeout)
    state = threading.local()

    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        if not getattr(state, "met", False):
            state.met = True
            barrier.wait()
        return result

    return wrapper


def meet_before(function: Callable, *, parties: int, timeout: float = TIMEOUT) -> Callable:
    """``function``, made to wait until ``parties`` threads are about to call it, every time."""
    barrier = threading.Barrier(parties, timeout=timeout)

    def wrapper(*args, **kwargs):
        barrier.wait()
        return function(*args, **kwargs)

    return wrapper
