"""What every page shares: who may open it."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .. import access


def reader_required(view):
    """Readers with a role; anonymous visitors only when ANONYMOUS_READ allows it."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_read(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """Pages beyond published insights: signed-in users with a role only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.is_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
