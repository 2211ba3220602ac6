"""A second database alias, ``replica``, for the read-replica router's tests.

Like a real replica configured by DATABASE_REPLICA_URL, it is a TEST MIRROR of default: its own
connection to the same test database, so it sees what default has committed.
"""

import copy

from django.db import connections

if "replica" not in connections.settings:
    replica = copy.deepcopy(connections.settings["default"])
    replica["TEST"] = {**replica["TEST"], "MIRROR": "default"}
    connections.settings["replica"] = replica
