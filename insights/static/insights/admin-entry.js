'use strict';
// Suggests known participant codes in the code boxes of observation rows, from the admin's
// autocomplete, as a <datalist>. Without scripts the box is a plain text field; a new code
// simply adds the participant when the row is saved.
{
    const list = document.createElement('datalist');
    list.id = 'participant-code-suggestions';
    let timer = null;
    let pending = null;

    const suggest = (input) => {
        const term = input.value.trim();
        if (!term) {
            return;
        }
        if (pending) {
            pending.abort();
        }
        pending = new AbortController();
        const url = `${input.dataset.suggestUrl}&term=${encodeURIComponent(term)}`;
        fetch(url, {credentials: 'same-origin', signal: pending.signal})
            .then((response) => (response.ok ? response.json() : {results: []}))
            .then((data) => {
                list.replaceChildren(...data.results.map((row) => new Option(row.text)));
            })
            .catch(() => {});
    };

    document.addEventListener('focusin', (event) => {
        const input = event.target;
        if (input instanceof HTMLInputElement && input.dataset.suggestUrl) {
            if (!list.isConnected) {
                document.body.append(list);
            }
            input.setAttribute('list', list.id);
        }
    });

    document.addEventListener('input', (event) => {
        const input = event.target;
        if (input instanceof HTMLInputElement && input.dataset.suggestUrl) {
            clearTimeout(timer);
            timer = setTimeout(() => suggest(input), 250);
        }
    });
}
