"""quickstart starts a background worker beside the development server, so the jobs an admin
upload queues are processed on the first run too, and stops it with the server."""

import io
import subprocess
import sys

import pytest
from django.core.management import call_command

from insights.management.commands import quickstart

pytestmark = pytest.mark.django_db


class FakeProcess:
    def __init__(self, args):
        self.args = args
        self.terminated = False

    def terminate(self):
        self.terminated = True

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def started(monkeypatch):
    processes, served = [], []

    def popen(args, **kwargs):
        processes.append(FakeProcess(args))
        return processes[-1]

    def fake_call_command(name, *args, **kwargs):
        if name == "runserver":
            # Which workers run while it serves.
            served.append([p.args[2] for p in processes if not p.terminated])
            return None
        return call_command(name, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(quickstart, "call_command", fake_call_command)
    return processes, served


def test_quickstart_runs_a_worker_beside_the_server(started):
    processes, served = started
    call_command("quickstart", "127.0.0.1:8123", stdout=io.StringIO())
    assert served == [["db_worker"]]
    [worker] = processes
    assert worker.args[0] == sys.executable and "--no-reload" in worker.args
    assert worker.terminated  # stopped with the server
