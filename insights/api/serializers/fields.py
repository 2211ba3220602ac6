"""Fields the serializers share: tags, users and participants by name."""

from django.contrib.auth import get_user_model
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models.observation import score_number
from ...models.participant import participant_code_validator
from ...selectors import resolve_tags


class TagListField(serializers.Field):
    """Tags out as objects; in as a list of slugs, names or aliases (schema: schema.py)."""

    default_error_messages = {
        "not_a_list": _("Give a list of tag slugs, names or aliases."),
        "unknown": _("Unknown tag: %(tags)s."),
    }

    def to_representation(self, manager):
        return [
            {"id": tag.pk, "slug": tag.slug, "name": tag.name, "group": tag.group.slug}
            for tag in manager.all()
        ]

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("not_a_list")
        for item in data:
            ProhibitNullCharactersValidator()(item)
        tags, missing = resolve_tags(data)
        if missing:
            raise serializers.ValidationError(
                self.error_messages["unknown"] % {"tags": ", ".join(missing)}, code="unknown_tag"
            )
        return tags


class UsernameField(serializers.SlugRelatedField):
    """A user by user name (null for none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.all())
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("User name of the owner; optional, null for none."))
        super().__init__(slug_field="username", **kwargs)


class RecordedByField(serializers.SlugRelatedField):
    """Who made or changed a row, by user name: read only, null when unknown."""

    def __init__(self, help_text):
        super().__init__(
            slug_field="username", read_only=True, allow_null=True, help_text=help_text
        )


class AliasListField(serializers.ListField):
    """A tag's aliases: their names out, a list of names in."""

    def to_representation(self, manager):
        return [alias.name for alias in manager.all()]


class OptionalChoiceField(serializers.ChoiceField):
    """A choice that may be left empty: "" or null in, null out (schema: schema.py)."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        # The model stores "no choice" as an empty string.
        return "" if value is None else value

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


@extend_schema_field({"type": "string", "nullable": True, "example": "P-014"})
class ParticipantCodeField(serializers.Field):
    """A participant by pseudonymous code; the view creates an unknown code's participant."""

    def to_representation(self, participant):
        return participant.code

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Give the participant's code, e.g. P-014."))
        code = data.strip().upper()
        participant_code_validator(code)
        return code


@extend_schema_field({"type": "number", "nullable": True, "example": 9})
class ScoreField(serializers.DecimalField):
    """A metric score: a JSON number out (9, or 4.35 for a custom metric), never "9.000";
    in, 9, "9" and 9.0 are all accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return score_number(value)
