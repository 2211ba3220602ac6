"""What the admin's study and inline forms post, for tests that fill them as a browser would."""


def inline_management(prefix: str, total: int, initial: int = 0) -> dict:
    """The management fields of an inline formset."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def study_form(**fields) -> dict:
    """The study add form's own fields, an interview in progress unless told otherwise."""
    return {
        "title": "Интервью об онбординге",
        "slug": "",
        "method": "interview",
        "status": "in_progress",
        "research_questions": "",
        "team": "",
        "summary": "",
        "report_url": "",
        **fields,
    }
