"""Following tags, studies and searches; the /following/ page; unsubscribing from the digest."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import DigestSubscription, SavedSearch, Study, Tag
from ..selectors.follows import digest_settings, user_follows
from ..services import follows
from .common import member_required


class DigestSettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Send me a digest"),
        choices=DigestSubscription.Frequency.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the digest"), choices=settings.LANGUAGES
    )


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


def _back(request, fallback: str) -> str:
    """The page the form was posted from (``next``), if it is on this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@member_required
def following(request):
    """What the user follows, and how often (and in which language) the digest comes."""
    subscription = digest_settings(request.user, request.LANGUAGE_CODE)
    form = DigestSettingsForm(
        initial={"frequency": subscription.frequency, "language": subscription.language}
    )
    if request.method == "POST":
        form = DigestSettingsForm(request.POST)
        if form.is_valid():
            follows.digest_subscription_save(user=request.user, **form.cleaned_data)
            messages.success(request, _("Digest settings saved."))
            return redirect("insights:following")
    context = {"form": form, "subscription": subscription, **user_follows(request.user)}
    return render(request, "insights/following.html", context)


@member_required
@require_POST
def follow_toggle(request, kind: str, slug: str):
    """Follow (or, with ``unfollow``, stop following) a tag or a study."""
    model = {"tag": Tag, "study": Study}[kind]
    target = get_object_or_404(model, slug=slug)
    name = target.name if kind == "tag" else target.title
    if "unfollow" in request.POST:
        follows.follow_delete(user=request.user, **{kind: target})
        messages.success(request, _("You no longer follow “%(name)s”.") % {"name": name})
    else:
        follows.follow_create(user=request.user, language=request.LANGUAGE_CODE, **{kind: target})
        messages.success(
            request,
            _("You follow “%(name)s”: what is new in it comes in your digest.") % {"name": name},
        )
    return redirect(_back(request, target.get_absolute_url()))


@member_required
@require_POST
def saved_search_add(request):
    """Name the current search and follow it."""
    form = SavedSearchForm(request.POST)
    query = request.POST.get("query", "")
    back = reverse("insights:search") + (f"?{query.lstrip('?')}" if query else "")
    if form.is_valid():
        try:
            saved = follows.saved_search_create(
                user=request.user,
                language=request.LANGUAGE_CODE,
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Search saved as “%(name)s”: what it finds next comes in your digest.")
                % {"name": saved.name},
            )
            return redirect(saved.get_absolute_url())
    else:
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(
            request, _("The search was not saved: %(errors)s") % {"errors": " ".join(problems)}
        )
    return redirect(back)


@member_required
@require_POST
def saved_search_remove(request, pk: int):
    """Forget one of the user's saved searches."""
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    follows.saved_search_delete(saved_search=saved)
    messages.success(request, _("You no longer follow “%(name)s”.") % {"name": saved.name})
    return redirect(_back(request, reverse("insights:following")))


# The token in the link is the credential, and unsubscribing is all it can do, so the page
# needs no login; mail clients' one-click unsubscribe (RFC 8058) POSTs without a CSRF token.
@login_not_required
@csrf_exempt
def unsubscribe(request, token: str):
    """GET: confirm; POST: turn the digest off. Unknown tokens are a 404."""
    subscription = (
        DigestSubscription.objects.select_related("user").filter(unsubscribe_token=token).first()
    )
    if subscription is None:
        raise Http404
    done = False
    if request.method == "POST":
        follows.digest_unsubscribe(token=token)
        done = True
    return render(
        request, "insights/unsubscribe.html", {"subscription": subscription, "done": done}
    )
