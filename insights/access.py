"""Who may read or change what: the role matrix, and the rules every surface asks.

The admin, the API, the pages, exports, search, "what do we already know?" and similar insights
all decide access here and nowhere else. The matrix is data: ``sync_roles`` (run by a migration,
after every ``migrate``, and by the ``sync_roles`` command) makes the three role groups hold
exactly these permissions, so changing a role is one edit of ``ROLE_PERMISSIONS``.
"""

from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db.models import QuerySet

from .models import Insight

VIEWER, CONTRIBUTOR, CURATOR = "Viewer", "Contributor", "Curator"

# The research models every role reads.
_RESEARCH_MODELS = (
    "taggroup", "tag", "tagalias", "participant", "study", "observation", "insight", "evidence",
    "insightlink", "decision", "decisionstatuschange",
)  # fmt: skip
_READ = {f"insights.view_{model}" for model in _RESEARCH_MODELS}
# Every role manages its own API tokens (the admin and the token page show only one's own).
_OWN_TOKENS = {"insights.view_apitoken", "insights.add_apitoken", "insights.delete_apitoken"}
_LOG_RESEARCH = {
    "insights.add_study", "insights.change_study",
    "insights.add_observation", "insights.change_observation",
    "insights.add_participant", "insights.change_participant",
    "insights.add_insight", "insights.change_insight",
    "insights.add_evidence", "insights.change_evidence", "insights.delete_evidence",
    "insights.add_insightlink", "insights.change_insightlink", "insights.delete_insightlink",
    "insights.add_tag", "insights.add_tagalias",
    # The admin's owner picker searches users.
    "auth.view_user",
}  # fmt: skip
_CURATE = {
    "insights.delete_study", "insights.delete_observation", "insights.delete_participant",
    "insights.delete_insight",
    "insights.publish_insight", "insights.supersede_insight", "insights.archive_insight",
    "insights.change_tag", "insights.delete_tag", "insights.merge_tag",
    "insights.change_tagalias", "insights.delete_tagalias",
    "insights.add_taggroup", "insights.change_taggroup", "insights.delete_taggroup",
    "insights.add_decision", "insights.change_decision", "insights.delete_decision",
    "insights.import_unscrubbed", "insights.revert_history",
}  # fmt: skip

# Role (a Django group of this name) -> the "app_label.codename" permissions it holds, exactly.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    VIEWER: frozenset(_READ | _OWN_TOKENS),
    CONTRIBUTOR: frozenset(_READ | _OWN_TOKENS | _LOG_RESEARCH),
    CURATOR: frozenset(_READ | _OWN_TOKENS | _LOG_RESEARCH | _CURATE),
}

# What a reader without editing rights may see: published findings, and superseded ones (they
# stay reachable so old links lead to their successor).
PUBLIC_STATUSES = (Insight.Status.PUBLISHED, Insight.Status.SUPERSEDED)


# Reading ------------------------------------------------------------------------------------


def is_member(user) -> bool:
    """Signed in with a role: may read the whole research record (studies, tags, decisions)."""
    return user.is_authenticated and user.has_perm("insights.view_insight")


def can_read(user) -> bool:
    """May read published insights: members, and anonymous visitors when ANONYMOUS_READ is on."""
    return is_member(user) if user.is_authenticated else settings.ANONYMOUS_READ


def can_see_drafts(user) -> bool:
    """Contributors and curators also see draft and archived insights; viewers do not."""
    return user.is_authenticated and (
        user.has_perm("insights.add_insight") or user.has_perm("insights.change_insight")
    )


def can_see_evidence(user) -> bool:
    """Observations and decisions are for signed-in readers, never for anonymous ones."""
    return user.is_authenticated


def visible_insights(user, insights: QuerySet | None = None) -> QuerySet:
    """The insights (of ``insights``, default all) this user may see at all."""
    if insights is None:
        insights = Insight.objects.all()
    if not can_read(user):
        return insights.none()
    return insights if can_see_drafts(user) else insights.filter(status__in=PUBLIC_STATUSES)


def may_see_insight(user, insight: Insight) -> bool:
    """The single-object form of visible_insights (no query)."""
    if not can_read(user):
        return False
    return can_see_drafts(user) or insight.status in PUBLIC_STATUSES


def default_statuses(user) -> list[str]:
    """What the search shows when no status is asked for: current insights this user may see."""
    if can_see_drafts(user):
        return [Insight.Status.DRAFT, Insight.Status.PUBLISHED]
    return [Insight.Status.PUBLISHED]


def offered_statuses(user) -> list[str]:
    """The statuses this user may filter by."""
    return [
        status
        for status in Insight.Status.values
        if can_see_drafts(user) or status in PUBLIC_STATUSES
    ]


def may_follow(user) -> bool:
    """Following and digests are for signed-in members (they name tags and studies)."""
    return is_member(user)


def may_receive_digest(user) -> bool:
    """An active member with an e-mail address; what the digest lists is visible_insights()."""
    return bool(user.is_active and user.email) and is_member(user)


# Writing ------------------------------------------------------------------------------------


def may_edit_insight(user, insight: Insight | None = None) -> bool:
    """Contributors edit drafts; a published, superseded or archived insight is the curators'.

    Without an insight: may edit insights at all.
    """
    if not user.has_perm("insights.change_insight"):
        return False
    return insight is None or insight.status == Insight.Status.DRAFT or may_publish(user)


def may_publish(user) -> bool:
    return user.has_perm("insights.publish_insight")


def may_supersede(user) -> bool:
    return user.has_perm("insights.supersede_insight")


def may_archive(user) -> bool:
    return user.has_perm("insights.archive_insight")


def may_confirm_review(user) -> bool:
    """Confirming that a published insight still holds is the curators' (who also publish)."""
    return user.has_perm("insights.publish_insight")


def may_merge_tags(user) -> bool:
    return user.has_perm("insights.merge_tag")


def may_revert(user) -> bool:
    """May revert an object to an earlier version and restore what was deleted (curators)."""
    return user.has_perm("insights.revert_history")


def may_import(user) -> bool:
    """May bring observations in from files or the API's bulk endpoint."""
    return user.has_perm("insights.add_observation")


def may_import_unscrubbed(user) -> bool:
    """May switch off personal-data scrubbing for one import."""
    return user.has_perm("insights.import_unscrubbed")


def model_permission(user, verb: str, model) -> bool:
    """The plain Django model permission: view, add, change or delete ``model``."""
    return user.has_perm(f"{model._meta.app_label}.{verb}_{model._meta.model_name}")


# Applying the matrix ------------------------------------------------------------------------


@dataclass
class RoleChange:
    """What sync_roles changed (or would change) in one role."""

    role: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.added or self.removed)


def sync_roles(
    apps=global_apps, *, using: str = "default", dry_run: bool = False
) -> list[RoleChange]:
    """Make each role group hold exactly the permissions of ROLE_PERMISSIONS; idempotent.

    ``apps`` is a migration's historical registry or the live one. Permissions of models that
    do not exist yet (an older migration state) are reported as ``missing`` and skipped; a
    later run grants them. Other groups are left alone.
    """
    for label in {
        permission.split(".")[0] for perms in ROLE_PERMISSIONS.values() for permission in perms
    }:
        config = apps.get_app_config(label)
        # Permissions are normally created after all migrations; create them now to grant them.
        models_module = getattr(config, "models_module", None)
        config.models_module = models_module or True
        create_permissions(config, apps=apps, verbosity=0, using=using)
        config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    changes = []
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.using(using).filter(name=role).first()
        change = RoleChange(role=role, created=group is None)
        held = set()
        if group is not None:
            held = {
                f"{app_label}.{codename}"
                for app_label, codename in group.permissions.values_list(
                    "content_type__app_label", "codename"
                )
            }
        change.missing = sorted(wanted - known.keys())
        grantable = wanted & known.keys()
        change.added = sorted(grantable - held)
        change.removed = sorted(held - wanted)
        changes.append(change)
        if dry_run or not change.changed:
            continue
        if group is None:
            group = Group.objects.using(using).create(name=role)
        group.permissions.set([known[name] for name in grantable])
    return changes
