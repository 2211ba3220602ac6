"""The admin's sidebar names third-party apps in the reader's language."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, expected",
    [
        ("ru", ["Защита входа", "Фоновые задачи", "Результаты задач"]),
        ("en", ["Login protection", "Background tasks", "Task Results"]),
    ],
)
def test_third_party_apps_are_named_in_the_readers_language(admin_client, language, expected):
    admin_client.cookies["django_language"] = language
    html = admin_client.get("/admin/").content.decode()
    assert all(name in html for name in expected)
    assert "Tasks Database Backend" not in html and ">Axes<" not in html


def test_the_task_results_list_speaks_russian(admin_client):
    admin_client.cookies["django_language"] = "ru"
    html = admin_client.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    for words in ("Ожидает", "Выполняется", "Успешно", "приоритет", "очередь"):
        assert words in html
    assert "queue name" not in html and "Successful" not in html
