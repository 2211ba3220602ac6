"""Every filter in effect shows as a chip, the default status included; the tags' all/any
switch sits with the tag chips."""

import re
from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def chips_html(response) -> str:
    html = response.content.decode()
    found = re.search(r'<ul class="chips".*?</ul>', html, re.S)
    return found.group(0) if found else ""


def test_the_default_status_is_a_chip_that_shows_every_status_when_removed(
    contributor_client, loyalty_world
):
    response = contributor_client.get("/")
    (chip,) = response.context["chips"]
    assert chip["default"] and chip["text"] == "Status: draft, published (default)"
    assert "chip-default" in chips_html(response)
    assert "Clear all" not in chips_html(response)  # nothing chosen beyond the defaults
    everything = contributor_client.get("/" + chip["remove_url"])
    statuses = {insight.status for insight in everything.context["page"]}
    assert "superseded" in statuses  # the default no longer narrows the list
    texts = [c["text"] for c in everything.context["chips"]]
    assert "Status: superseded" in texts
    assert not any(c.get("default") for c in everything.context["chips"])


def test_a_viewer_default_names_only_published(viewer_client, loyalty_world):
    (chip,) = viewer_client.get("/").context["chips"]
    assert chip["text"] == "Status: published (default)"


def test_a_chosen_status_replaces_the_default_chip(viewer_client, loyalty_world):
    response = viewer_client.get("/", {"status": "superseded"})
    assert [c["text"] for c in response.context["chips"]] == ["Status: superseded"]
    assert "Clear all" in chips_html(response)
    back = viewer_client.get("/" + response.context["chips"][0]["remove_url"])
    assert back.context["chips"][0].get("default")


def test_the_all_any_switch_follows_the_tag_chips(viewer_client, loyalty_world):
    tags = [loyalty_world["tag"].slug, loyalty_world["child"].slug]
    html = chips_html(viewer_client.get("/", {"tag": tags, "tag_mode": "any", "q": "кешбэк"}))
    order = [m.group(0) for m in re.finditer(r"Tag: [^<×]+|Tags must match|Words:", html)]
    assert order[:3] == ["Tag: Лояльность ", "Tag: Кешбэк ", "Tags must match"]
    assert "Words:" in order
    selected = re.search(r'<a href="([^"]*)" class="selected" aria-current="true">any', html)
    assert selected and "tag_mode=any" in unescape(selected.group(1))
    page = viewer_client.get("/", {"tag": tags}).content.decode()
    facets = page.split('<section class="results"')[0]
    assert "Tags must match" not in facets  # no longer at the bottom of the filter column


def test_one_tag_has_no_switch(viewer_client, loyalty_world):
    html = chips_html(viewer_client.get("/", {"tag": loyalty_world["tag"].slug}))
    assert "Tag: Лояльность" in html and "Tags must match" not in html
