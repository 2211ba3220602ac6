"""A signed-in user's own API tokens."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ApiToken
from ..services import api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. “NPS dashboard” or “Jira plugin”."),
    )


def api_tokens(request):
    """A signed-in user's own API tokens: create one (its key is shown once) or revoke one."""
    tokens = ApiToken.objects.filter(user=request.user)
    form, new_key = TokenForm(), None
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(tokens, pk=request.POST.get("revoke"))
        api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("insights:tokens")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            # Rendered, not redirected: the key is shown this once and never stored in clear.
            _token, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    return render(
        request, "insights/tokens.html", {"tokens": tokens, "form": form, "new_key": new_key}
    )
