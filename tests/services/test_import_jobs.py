"""Import-job rows: one active run per upload (a database rule), claims that succeed once,
and an end that cannot be undone by a late sweep."""

import pytest

from insights.models import ImportJob
from insights.services.import_jobs import (
    import_job_claim,
    import_job_create,
    import_job_fail,
    import_job_finish,
)

from ..factories import StudyFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32


def create(study, user):
    return import_job_create(
        upload=TOKEN, study=study, user=user, file_name="a.csv", options={}, dry_run=False,
        language="en",
    )  # fmt: skip


def test_an_upload_has_one_active_job_and_a_new_one_after_it_ends():
    study, user = StudyFactory(), UserFactory()
    job, created = create(study, user)
    again, created_again = create(study, user)
    assert created and not created_again and again.pk == job.pk
    assert import_job_claim(job_id=job.pk) is not None
    assert create(study, user)[0].pk == job.pk  # running: still the one
    import_job_fail(job_id=job.pk, message="stopped")
    retry, created_retry = create(study, user)
    assert created_retry and retry.pk != job.pk
    assert ImportJob.objects.filter(upload=TOKEN).count() == 2


def test_a_job_is_claimed_once_and_a_failed_job_cannot_be_claimed():
    study, user = StudyFactory(), UserFactory()
    job, _ = create(study, user)
    assert import_job_claim(job_id=job.pk, worker="one:1").worker == "one:1"
    assert import_job_claim(job_id=job.pk, worker="two:2") is None
    import_job_finish(job_id=job.pk, report={"rows": 3})
    import_job_fail(job_id=job.pk, message="too late")  # a finished job stays finished
    job.refresh_from_db()
    assert (job.status, job.message, job.rows) == ("done", "", 3)
