"""Rate limits whose counts every worker process shares."""

from django.core.cache import caches
from rest_framework import throttling


class FailedAuthenticationThrottle(throttling.AnonRateThrottle):
    """``API_THROTTLE_ANON`` per address, for requests that fail authentication.

    Such requests are what guessing keys looks like. The server runs several worker processes,
    and counted in each one's own memory, three workers allowed three times the rate; this count
    lives in the database cache, so every worker and every server on one database adds up.
    """

    cache = caches["shared"]
