"""What the load test's simulated users do; started by tests/bench/load_test.py.

Each user is a Contributor with a session of their own (pages) and a token of their own (API),
prepared beforehand in LOAD_TEST_USERS (a JSON file): logging in would measure password
hashing, not the site. A user searches, opens pages, reads the API and now and then sends a
bulk write of survey answers. Every answer must have the expected status: a page that
redirects to the login page, a 429 or a 5xx is an error.
"""

import itertools
import json
import os
import random
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

SETUP = json.loads(Path(os.environ["LOAD_TEST_USERS"]).read_text(encoding="utf-8"))
ACCOUNTS = itertools.cycle(SETUP["users"])
WORDS = ["онбординг", "кешбэк", "чат поддержки", "KYC", "комиссия", "доставка", "onboarding"]
WORDS += ["приложение", "перевод", "NPS", '"служба поддержки"', "карта -кредит"]
BULK_ROWS = 20
statuses: Counter = Counter()


class Researcher(HttpUser):
    wait_time = between(*SETUP["think_time"])

    def on_start(self):
        self.account = next(ACCOUNTS)
        self.client.cookies.set("sessionid", self.account["session"])
        self.api_headers = {"Authorization": f"Token {self.account['token']}"}
        self.batch = 0

    def fetch(self, url, name, *, expected=200, api=False, method="GET", body=None, retry=False):
        """One request; True when it may be sent again (a 409 of a bulk write)."""
        with self.client.request(
            method,
            url,
            name=name,
            json=body,
            headers=self.api_headers if api else None,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            statuses[response.status_code] += 1
            if retry and response.status_code == 409:
                response.success()  # the documented answer to a colliding import: send again
                return True
            if response.status_code != expected:
                response.failure(f"HTTP {response.status_code}")
            return False

    @task(4)
    def search_page(self):
        params = f"?q={random.choice(WORDS)}"
        if random.random() < 0.3:
            params += f"&tag={random.choice(SETUP['tags'])}&ordering=-confidence"
        self.fetch(f"/{params}", "page: search")

    @task(3)
    def reading_pages(self):
        page = random.choice(["insight", "insight", "tag", "study", "tags"])
        urls = {
            "insight": lambda: f"/insights/{random.choice(SETUP['insights'])}/",
            "tag": lambda: f"/tags/{random.choice(SETUP['tags'])}/",
            "study": lambda: f"/studies/{random.choice(SETUP['studies'])}/",
            "tags": lambda: "/tags/",
        }
        self.fetch(urls[page](), f"page: {page}")

    @task(3)
    def api_reads(self):
        read = random.choice(["insights", "search", "observations", "insight"])
        study = random.choice(SETUP["studies"])
        urls = {
            "insights": lambda: "/api/v1/insights/?page_size=50&ordering=-updated_at",
            "search": lambda: f"/api/v1/search/?q={random.choice(WORDS)}",
            "observations": lambda: f"/api/v1/observations/?study={study}&page_size=50",
            "insight": lambda: f"/api/v1/insights/{random.choice(SETUP['insights'])}/",
        }
        self.fetch(urls[read](), f"api: {read}", api=True)

    @task(1)
    def api_bulk_write(self):
        # Every third batch is sent again: the same external ids update instead of creating.
        self.batch += 1
        batch = self.batch - 1 if self.batch % 3 == 0 else self.batch
        prefix = f"{SETUP['run']}-{self.account['username']}-{batch}"
        rows = [
            {
                "external_id": f"{prefix}-{row}",
                "kind": "metric",
                "metric": "nps",
                "score": random.randint(0, 10),
                "participant": f"LT-{random.randint(1, 200)}",
            }
            if row % 2 == 0
            else {
                "external_id": f"{prefix}-{row}",
                "kind": "survey_answer",
                "participant": f"LT-{random.randint(1, 200)}",
                "text": f"Ответ {row}: {random.choice(WORDS)} — всё понятно, но долго",
            }
            for row in range(BULK_ROWS)
        ]
        body = {"study": self.account["study_id"], "observations": rows}
        expected = 200 if self.batch % 3 == 0 else 201
        for attempt in range(3):
            again = self.fetch(
                "/api/v1/observations/bulk/", "api: bulk write", api=True, method="POST",
                body=body, expected=expected, retry=attempt < 2,
            )  # fmt: skip
            if not again:  # a 409 rolled the whole batch back: the same answer is expected
                break


@events.quitting.add_listener
def summary(environment, **kwargs):
    """The figures the README quotes, written to LOAD_TEST_SUMMARY for the runner to print
    after locust's own tables; a non-zero exit code on any error."""
    total = environment.stats.total
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    percentiles = [total.get_response_time_percentile(p) for p in (0.5, 0.95, 0.99)]
    seconds = max(total.last_request_timestamp - total.start_time, 1e-9)
    lines = [
        f"requests:      {total.num_requests} in {seconds:.0f} s",
        f"per second:    {total.num_requests / seconds:.1f}",
        "latency (ms):  p50 {:.0f}  p95 {:.0f}  p99 {:.0f}".format(*percentiles),
        f"errors:        {total.num_failures} (5xx: {server_errors}, 429: {statuses[429]})",
        f"sent again:    {statuses[409]} bulk writes answered 409 (concurrent import)",
        "statuses:      " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())),
    ]
    for name, entry in sorted(environment.stats.entries.items()):
        p50, p95, p99 = (entry.get_response_time_percentile(p) for p in (0.5, 0.95, 0.99))
        lines.append(
            f"  {name[0]:<18} {entry.num_requests:>6} requests  p50 {p50:>5.0f}  p95 {p95:>5.0f}"
            f"  p99 {p99:>5.0f}  errors {entry.num_failures}"
        )
    Path(os.environ["LOAD_TEST_SUMMARY"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    environment.process_exit_code = 1 if total.num_failures or server_errors else 0
