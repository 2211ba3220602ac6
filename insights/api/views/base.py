"""What every endpoint shares: FilterSets, cursor pages, writes through the services."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, viewsets

from ...impact import parse_window
from ...models import TagGroup

EXPAND_PARAMETER = OpenApiParameter(
    "expand",
    str,
    enum=["evidence"],
    description=_(
        "evidence: embed each evidence item's observation with its study and participant "
        "(signed-in readers only; anonymous readers get no evidence)."
    ),
)
SPLIT_BY_PARAMETER = OpenApiParameter(
    "split_by",
    str,
    description=_("Slug of a tag group (e.g. segment) to split the figures by."),
)

WINDOW_PARAMETER = OpenApiParameter(
    "window",
    int,
    description=_(
        "Days of answers on each side of the ship date, 7 to 730; default IMPACT_WINDOW_DAYS (90)."
    ),
)


def window_days(request) -> int:
    """The ?window= days (default from the settings); 400 with a field message when wrong."""
    try:
        return parse_window(request.query_params.get("window"))
    except ValueError as error:
        raise serializers.ValidationError({"window": [str(error)]}) from None


def split_by_group(request) -> TagGroup | None:
    """The tag group named by ?split_by=, None without it; 400 for an unknown one."""
    slug = request.query_params.get("split_by")
    if not slug:
        return None
    group = None if "\x00" in slug else TagGroup.objects.filter(slug=slug).first()
    if group is None:
        raise serializers.ValidationError(
            {"split_by": [_("Unknown tag group: %(slug)s.") % {"slug": slug}]}
        )
    return group


class ApiViewSet(viewsets.ModelViewSet):
    """A model's endpoint: list, read, create, update and delete; writes call ``save``."""

    filter_backends = [DjangoFilterBackend]
    # Action -> what the OpenAPI schema tells integrators (see schema.ApiAutoSchema).
    descriptions: dict = {}
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def save(self, serializer, instance):
        """Apply validated data through the entity's service; returns the saved object."""
        raise NotImplementedError

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.save(serializer, serializer.instance)

    @staticmethod
    def assign(instance, data: dict, *skip: str):
        """Copy validated fields onto the instance, except the ones a service sets itself."""
        for name, value in data.items():
            if name not in skip:
                setattr(instance, name, value)
        return instance
