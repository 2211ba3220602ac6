"""Bodies of a decision's impact and of the loop report (built by insights.impact and
insights.selectors.loop; these serializers document and shape them)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ... import impact
from ...models import Decision
from ..schema import TagLabelSerializer

VERDICTS = [
    impact.NO_TARGET, impact.NOT_SHIPPED, impact.TOO_FEW,
    impact.ROSE, impact.FELL, impact.NO_CLEAR_CHANGE,
]  # fmt: skip


class ImpactSideSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the window."))
    end = serializers.DateField(help_text=_("Last day of the window."))
    base = serializers.IntegerField(help_text=_("Answers counted."))
    value = serializers.FloatField(
        required=False, help_text=_("The metric's figure; absent without answers.")
    )
    promoters = serializers.IntegerField(required=False, help_text=_("NPS only."))
    passives = serializers.IntegerField(required=False, help_text=_("NPS only."))
    detractors = serializers.IntegerField(required=False, help_text=_("NPS only."))
    satisfied = serializers.IntegerField(required=False, help_text=_("CSAT only."))
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Score -> answers.")
    )


class ImpactSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    metric = serializers.ChoiceField(
        choices=Decision.TargetMetric.choices, allow_null=True, help_text=_("null: no target.")
    )
    tags = TagLabelSerializer(many=True, help_text=_("The target tags (all of them apply)."))
    shipped_on = serializers.DateField(allow_null=True)
    window_days = serializers.IntegerField()
    before = ImpactSideSerializer(allow_null=True)
    after = ImpactSideSerializer(allow_null=True)
    difference = serializers.FloatField(
        allow_null=True,
        help_text=_("after − before: NPS points, CSAT percentage points, CES scale points."),
    )
    standard_error = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(
        allow_null=True, help_text=_("Lower end of the 95 percent confidence interval.")
    )
    ci_high = serializers.FloatField(
        allow_null=True, help_text=_("Upper end of the 95 percent confidence interval.")
    )
    degrees_of_freedom = serializers.FloatField(
        allow_null=True, help_text=_("Welch's degrees of freedom (CES only).")
    )
    min_base = serializers.IntegerField(
        help_text=_("Answers each side needs before the result is judged.")
    )
    verdict = serializers.ChoiceField(choices=VERDICTS)
    message = serializers.CharField(help_text=_("The result in words."))
    after_window_open = serializers.BooleanField(
        help_text=_("The after window has not ended yet: more answers will come.")
    )


class MeasuredDecisionSerializer(ImpactSerializer):
    title = serializers.CharField()


class LoopRowSerializer(serializers.Serializer):
    tag = TagLabelSerializer(allow_null=True, help_text=_("null: every published insight."))
    insights = serializers.IntegerField(help_text=_("Published insights (child tags included)."))
    with_decisions = serializers.IntegerField()
    with_shipped_decisions = serializers.IntegerField()
    median_days_to_decision = serializers.FloatField(
        allow_null=True, help_text=_("From publishing an insight to its first decision.")
    )
    measured_decisions = MeasuredDecisionSerializer(
        many=True, help_text=_("Decisions whose impact can be judged, with the result.")
    )


class LoopSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    total = LoopRowSerializer()
    tags = LoopRowSerializer(many=True)
