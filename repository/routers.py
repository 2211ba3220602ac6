"""Send the reads of read-only requests to a PostgreSQL read replica (DATABASE_REPLICA_URL).

A read goes to the replica only while serving a GET or HEAD request outside the admin, before
the request has written anything and outside any transaction. Everything else reads from the
primary: writes and the reads that follow them (a replica lags behind), management commands
and background work, and the tables that decide who someone is or what they may do (users,
groups, permissions, sessions, API tokens: a revoked token must stop at once), as well as the
cache table that holds throttling counts.
"""

from django.db import DEFAULT_DB_ALIAS, connections

from . import request_context

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
PRIMARY_ONLY_APPS = {"auth", "sessions", "contenttypes", "admin", "migrations", "django_cache"}
PRIMARY_ONLY_MODELS = {("insights", "apitoken")}


def primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or (meta.app_label, meta.model_name) in (
        PRIMARY_ONLY_MODELS
    )


def replica_allowed(context) -> bool:
    """Reads of this request may be served by the replica (until it writes)."""
    if context is None or context.wrote or context.request.method not in SAFE_METHODS:
        return False
    match = getattr(context.request, "resolver_match", None)
    # Before URL resolution only sessions and users are read, and those stay on the primary.
    # The admin reads what an editor has just saved, so it stays on the primary too.
    return match is not None and "admin" not in match.namespaces


class ReplicaRouter:
    """Reads to ``replica`` where it is safe, every write and migration to ``default``."""

    def db_for_read(self, model, **hints):
        if primary_only(model):
            return DEFAULT_DB_ALIAS
        context = request_context.current()
        if not replica_allowed(context):
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # A transaction reads its own writes, which the replica has not seen.
            context.wrote = True
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS  # rows related to a row read from the primary
        return REPLICA

    def db_for_write(self, model, **hints):
        context = request_context.current()
        if context is not None and not primary_only(model):
            context.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # one database, two connections
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema through replication.
        return db == DEFAULT_DB_ALIAS
