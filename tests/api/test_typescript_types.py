"""TypeScript integrators: openapi-typescript's types from the served schema compile as used.

Needs the npm tools of package.json (`npm ci` in the project folder; CI installs them); the
test is skipped without them. Nothing is fetched while it runs.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

BIN = Path(__file__).resolve().parents[2] / "node_modules" / ".bin"

# What a TypeScript integrator writes; tsc refuses it if the types say otherwise.
USAGE = """
import type { components } from "./api";
type Schemas = components["schemas"];

const study: Schemas["StudyRequest"] = { title: "Опрос", method: "survey", tags: ["dostavka"] };
const patch: Schemas["PatchedInsightWriteRequest"] = { tags: ["onbording", "Онбординг"] };
const rows: Schemas["BulkObservationsRequest"] = {
  study: 1,
  observations: [{ external_id: "r1", metric: null, tags: ["keshbek"] }],
};
// @ts-expect-error: tags are written as names, not as the objects records carry
const wrong: Schemas["ObservationRequest"] = { study: 1, tags: [{ id: 1, slug: "dostavka" }] };

function slugs(read: Schemas["Study"]): string[] {
  return read.tags.map((tag) => tag.slug);
}
function nextPage(page: Schemas["PaginatedInsightList"]): string | null {
  return page.next_cursor;
}
function metric(read: Schemas["Observation"]): "nps" | "csat" | "ces" | "custom" | null {
  return read.metric;
}
export { study, patch, rows, wrong, slugs, nextPage, metric };
"""


@pytest.fixture
def tools():
    needed = [BIN / "openapi-typescript", BIN / "tsc"]
    if not shutil.which("node") or not all(tool.exists() for tool in needed):
        pytest.skip("openapi-typescript is not installed (run `npm ci` in the project folder)")
    return needed


def test_generated_types_take_tag_names_and_read_tag_objects(tools, tmp_path, django_db_blocker):
    openapi_typescript, tsc = tools
    with django_db_blocker.unblock():
        schema = Client().get("/api/v1/schema/", {"format": "json"})
    (tmp_path / "schema.json").write_bytes(schema.content)
    subprocess.run(
        [openapi_typescript, tmp_path / "schema.json", "--output", tmp_path / "api.d.ts"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (tmp_path / "usage.ts").write_text(USAGE)
    compiled = subprocess.run(
        [tsc, "--noEmit", "--strict", "--target", "es2020", "--moduleResolution", "node",
         tmp_path / "usage.ts"],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
