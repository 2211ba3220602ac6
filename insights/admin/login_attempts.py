"""Failed login attempts, where a superuser lifts a lockout early by deleting its row.

Only the attempts: django-axes' logs of successful logins and of every failure stay off
(AXES_DISABLE_ACCESS_LOG), so their empty lists are not shown.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

admin.site.register(AccessAttempt, AccessAttemptAdmin)
