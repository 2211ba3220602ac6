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


def posted_as_shown(response) -> dict:
    """What a browser posts back from an admin change page left as it was shown: the main
    form's and every inline's fields with their current values, and the management forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        management = formset.management_form
        data.update(
            {management[name].html_name: management[name].value() for name in management.fields}
        )
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form[name].html_name] = (
                [str(v) for v in value] if isinstance(value, list) else value
            )
    return data
