"""The probe load balancers and orchestrators poll: is this web node able to serve?"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Exempt from the tenant gate (portal.tenancy.middleware) and from the HTTPS redirect
# (settings.SECURE_REDIRECT_EXEMPT): probes come without a session, over plain HTTP.
HEALTH_PATH = "/healthz"


@never_cache
@require_safe
def healthz(request):
    """Answer 200 "ok" when the database answers, 503 when it does not. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check failed: the database did not answer.")
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
