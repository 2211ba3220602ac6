"""Repeated failed logins (django-axes): whose address they count against, and the lockout page."""

import ipaddress
import math

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from rest_framework.throttling import BaseThrottle


def client_address(request) -> str | None:
    """The client's address under the PROXY_COUNT rule that the API's rate limits also use.

    Only an address is stored: a value a misconfigured proxy chain lets a client forge into
    X-Forwarded-For falls back to the connection's own address.
    """
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while a login is refused (HTTP 429).

    The admin's login gets the admin's look, the site's login the site's.
    """
    wait = settings.AXES_COOLOFF_TIME.total_seconds()
    context = {
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, math.ceil(wait / 60)),
    }
    if request.path.startswith(reverse("admin:index")):
        template = "admin/locked_out.html"
        context.update(admin.site.each_context(request))
    else:
        template = "registration/locked_out.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(math.ceil(wait))
    return response
