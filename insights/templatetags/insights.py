"""Template helpers that build links from the current query string."""

from django import template

from .. import querystrings

register = template.Library()


def _params(context):
    """The page's link parameters (tags normalised to slugs) if the view gave them."""
    params = context.get("link_params")
    return context["request"].GET if params is None else params


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """Another page of the same results."""
    return querystrings.page(_params(context), number)


@register.simple_tag(takes_context=True)
def tag_toggle_url(context, slug: str) -> str:
    """Add a tag to the filter, or remove it when it is already there."""
    return querystrings.toggled(_params(context), "tag", slug)


@register.simple_tag(takes_context=True)
def param_toggle_url(context, key: str, value: str) -> str:
    """Add a filter value (status, confidence...), or remove it when it is there."""
    return querystrings.toggled(_params(context), key, value)
