"""What the served OpenAPI document promises integrators, checked on the document itself."""

import pytest
from django.test import Client

from insights.api.views.base import ApiViewSet

WRITE_SCHEMAS = ["StudyRequest", "ObservationRequest", "ParticipantRequest", "InsightWriteRequest"]


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return Client().get("/api/v1/schema/", {"format": "json"}).json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_describes_itself_for_integrators(document):
    internal = ApiViewSet.__doc__.strip()
    described = {name: operation.get("description", "") for name, operation in operations(document)}
    assert len(described) >= 50
    assert [name for name, text in described.items() if not text] == []
    assert [name for name, text in described.items() if internal in text] == []


def test_every_error_response_says_when_it_happens(document):
    for name, operation in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert response["description"], f"{name} {code}"
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }


def test_request_bodies_are_json_only(document):
    bodies = [op["requestBody"] for _name, op in operations(document) if "requestBody" in op]
    assert bodies
    assert {media for body in bodies for media in body["content"]} == {"application/json"}


@pytest.mark.parametrize("name", WRITE_SCHEMAS + [f"Patched{name}" for name in WRITE_SCHEMAS])
def test_tags_are_written_as_names_and_read_as_objects(document, name):
    schemas = document["components"]["schemas"]
    assert schemas[name]["properties"]["tags"]["items"] == {"type": "string", "minLength": 1}
    record = {"InsightWriteRequest": "Insight"}.get(name.removeprefix("Patched"))
    record = record or name.removeprefix("Patched").removesuffix("Request")
    assert schemas[record]["properties"]["tags"]["items"] == {
        "$ref": "#/components/schemas/TagLabel"
    }


def test_owner_is_optional_and_nullable(document):
    study = document["components"]["schemas"]["StudyRequest"]
    assert "owner" not in study["required"]
    assert study["properties"]["owner"]["nullable"] is True
    assert "optional" in study["properties"]["owner"]["description"]


def test_pages_say_how_big_they_may_be_and_where_the_next_one_starts(document):
    parameters = {
        parameter["name"]: parameter
        for parameter in document["paths"]["/api/v1/insights/"]["get"]["parameters"]
    }
    assert parameters["page_size"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 50,
    }
    assert "next_cursor" in parameters["cursor"]["description"]
    page = document["components"]["schemas"]["PaginatedInsightList"]
    assert set(page["required"]) == {
        "next",
        "previous",
        "next_cursor",
        "previous_cursor",
        "results",
    }


def test_the_export_is_typed_json_first_and_text_by_format(document):
    paths = document["paths"]
    content = paths["/api/v1/insights/export/"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["application/json", "text/csv", "text/markdown"]
    assert content["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/InsightExport"
    }
    for path, media_type in [("csv", "text/csv"), ("markdown", "text/markdown")]:
        text = paths[f"/api/v1/insights/export/{path}/"]["get"]["responses"]["200"]["content"]
        assert text == {media_type: {"schema": {"type": "string"}}}
