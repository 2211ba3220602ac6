"""The contract with integrators: a Python client generated from the live schema works.

openapi-python-client generates a client from /api/v1/schema/ of a live test server (once per
session, into a temporary folder); every generated module must import, and the typed calls an
integrator makes must read and write through it. Each response on the way is also checked
strictly against the schema.
"""

import importlib
import pkgutil
import subprocess
import sys

import httpx
import pytest

from insights.services import api_token_create

from ..factories import InsightFactory, ObservationFactory, StudyFactory, UserFactory

PACKAGE = "insight_api_client"

# Transactional: the live server reads what the test writes. Serialized rollback brings back
# what migrations created (tag groups, roles) if an earlier live-server test flushed it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def client_package(live_server, tmp_path_factory, django_db_blocker):
    """The generated client's package, importable for the rest of the session."""
    folder = tmp_path_factory.mktemp("generated")
    schema = folder / "schema.json"
    # The schema reads no data, but the server checks its database connection per request.
    with django_db_blocker.unblock():
        response = httpx.get(f"{live_server.url}/api/v1/schema/", params={"format": "json"})
    response.raise_for_status()
    schema.write_bytes(response.content)
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatting pass: nothing is written back
    generated = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema),
            "--config", str(config), "--meta", "none", "--output-path", str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # Warnings name the operations or schemas the generator had to skip.
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout
    sys.path.insert(0, str(folder))
    for module in ("models", "types"):
        importlib.import_module(f"{PACKAGE}.{module}")
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def api(package, name: str):
    return importlib.import_module(f"{package.__name__}.api.{name}")


@pytest.fixture
def typed_client(client_package, live_server, schema_check):
    """A typed client of a Contributor; each response it gets is checked against the schema."""
    user = UserFactory(username="integrator", role="Contributor")
    _token, key = api_token_create(user=user, name="generated client")

    def check(response: httpx.Response):
        response.read()
        request = response.request
        schema_check.check(
            request.method,
            request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
        )

    typed = client_package.AuthenticatedClient(
        base_url=live_server.url,
        token=key,
        prefix="Token",
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": {"response": [check]}},
    )
    # Closing the kept-alive connection ends the server thread that holds a database
    # connection, so the test database can be dropped at the end.
    with typed:
        yield typed


def test_every_generated_module_imports(client_package):
    names = [
        module.name
        for module in pkgutil.walk_packages(client_package.__path__, f"{PACKAGE}.")
        if not module.ispkg
    ]
    for name in names:
        importlib.import_module(name)
    operations = [name for name in names if ".api." in name]
    # Every operation the schema lists, writes included.
    assert f"{PACKAGE}.api.observations.observations_bulk_create" in operations
    assert f"{PACKAGE}.api.studies.studies_create" in operations
    assert len(operations) >= 50


def test_reads_through_the_typed_client(client_package, typed_client, onboarding, kyc):
    models = client_package.models
    study = StudyFactory(title="Интервью об онбординге")
    quote = ObservationFactory(study=study, text="Долго ждал проверки паспорта", tags=[kyc])
    about_kyc = [
        InsightFactory(
            statement=f"Онбординг затянут проверкой номер {n}",
            tags=[kyc],
            evidence=[{"observation": quote}],
            published=True,
        )
        for n in range(5)
    ]
    InsightFactory(statement="Другая тема", evidence=[{"observation": quote}], published=True)

    # By the parent tag's alias, two per page, to the last page.
    insights_list = api(client_package, "insights.insights_list")
    seen, cursor, pages = [], client_package.types.UNSET, 0
    while True:
        page = insights_list.sync(
            client=typed_client, tag=["onboarding"], page_size=2, cursor=cursor
        )
        assert isinstance(page, models.PaginatedInsightList)
        seen += [insight.id for insight in page.results]
        pages += 1
        if page.next_cursor is None:
            assert page.next_ is None
            break
        assert f"cursor={page.next_cursor}" in page.next_
        cursor = page.next_cursor
    assert sorted(seen) == sorted(insight.pk for insight in about_kyc)
    assert pages == 3

    detail = api(client_package, "insights.insights_retrieve").sync(
        about_kyc[0].pk, client=typed_client, expand=models.InsightsRetrieveExpand.EVIDENCE
    )
    assert isinstance(detail, models.Insight)
    assert [tag.slug for tag in detail.tags] == [kyc.slug]
    (evidence,) = detail.evidence
    assert isinstance(evidence.observation, models.EmbeddedObservation)
    assert evidence.observation.text == "Долго ждал проверки паспорта"
    assert evidence.observation.study.title == "Интервью об онбординге"
    assert evidence.observation.metric is None

    export = api(client_package, "insights.insights_export_retrieve").sync(
        client=typed_client, tag=["onboarding"]
    )
    assert sorted(row.id for row in export) == sorted(insight.pk for insight in about_kyc)
    assert all(isinstance(row, models.InsightExport) for row in export)
    assert export[0].tags[0].slug == kyc.slug
    assert export[0].evidence[0].study == study.slug
    csv = api(client_package, "insights.insights_export_csv_retrieve").sync(
        client=typed_client, tag=["onboarding"]
    )
    assert isinstance(csv, str) and about_kyc[0].statement in csv

    found = api(client_package, "search.search_retrieve").sync(client=typed_client, q="паспорта")
    assert isinstance(found, models.SearchResults)
    assert [hit.id for hit in found.observations] == [quote.pk]
    assert "<mark>" in found.observations[0].snippet


def test_writes_through_the_typed_client(client_package, typed_client, onboarding, premium):
    models = client_package.models
    study = api(client_package, "studies.studies_create").sync(
        client=typed_client,
        body=models.StudyRequest(
            title="Опрос NPS после онбординга",
            method=models.StudyMethodEnum.METRIC_SURVEY,
            tags=["onboarding", "Premium"],  # an alias and a name
        ),
    )
    assert isinstance(study, models.Study)
    assert sorted(tag.slug for tag in study.tags) == sorted([onboarding.slug, premium.slug])
    assert study.report_url == "" and study.owner is None

    rows = [
        models.BulkObservationRowRequest(
            external_id="nps-r1",
            kind=models.ObservationKindEnum.METRIC,
            metric=models.MetricEnum.NPS,
            score="9",
            participant="S-101",
        ),
        models.BulkObservationRowRequest(
            external_id="nps-r1-why",
            kind=models.ObservationKindEnum.SURVEY_ANSWER,
            text="Кешбэк приходит быстро",
            participant="S-101",
            tags=["onboarding"],
        ),
    ]
    bulk = api(client_package, "observations.observations_bulk_create")
    body = models.BulkObservationsRequest(study=study.id, observations=rows)
    first = bulk.sync_detailed(client=typed_client, body=body)
    assert first.status_code == 201
    assert (first.parsed.created, first.parsed.updated) == (2, 0)
    again = bulk.sync_detailed(client=typed_client, body=body)
    assert again.status_code == 200
    assert (again.parsed.created, again.parsed.updated) == (0, 2)
    assert sorted(again.parsed.ids) == sorted(first.parsed.ids)

    listed = api(client_package, "observations.observations_list").sync(
        client=typed_client, study=str(study.id)
    )
    by_external_id = {observation.external_id: observation for observation in listed.results}
    assert by_external_id["nps-r1"].metric == models.MetricEnum.NPS
    assert by_external_id["nps-r1-why"].metric is None
    assert [tag.slug for tag in by_external_id["nps-r1-why"].tags] == [onboarding.slug]

    refused = api(client_package, "observations.observations_create").sync_detailed(
        client=typed_client,
        body=models.ObservationRequest(
            study=study.id,
            kind=models.ObservationKindEnum.METRIC,
            metric=models.MetricEnum.NPS,
            score="11",
        ),
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.Error)
    assert refused.parsed.error.code == "invalid"
    assert "score" in refused.parsed.error.fields.additional_properties
