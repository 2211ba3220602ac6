"""Logging out returns to the site's login page, from the site and from the admin."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("logout_url", ["/accounts/logout/", "/admin/logout/"])
def test_logging_out_lands_on_the_login_page(admin_client, logout_url):
    response = admin_client.post(logout_url, follow=True)
    assert response.redirect_chain[0] == (reverse("login"), 302)
    assert response.templates[0].name == "registration/login.html"
    assert "_auth_user_id" not in admin_client.session
    # Signed out for real: the site asks for a login again.
    assert admin_client.get("/").status_code == 302
