"""Settings for ``bench/load.py --ceiling``: production settings plus one middleware.

The middleware sits last, inside the tenant gate (session, user, membership and suspension are
all checked as usual), and answers a GET a signed-in user has made before with the bytes the
page answered the first time, from the worker's memory. That is no feature of Keel: it is the
fastest any page cache could make a page, so the run shows how close the load goals can come
when rendering and the page's own queries cost nothing, and how much the gate alone costs.
"""

from portal.settings.prod import *  # noqa: F403
from portal.settings.prod import MIDDLEWARE

MIDDLEWARE = [*MIDDLEWARE, "bench.ceiling.ReplayMiddleware"]


class ReplayMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pages: dict[tuple, tuple[bytes, str]] = {}

    def __call__(self, request):
        if request.method != "GET" or not request.user.is_authenticated:
            return self.get_response(request)
        from django.http import HttpResponse

        key = (request.tenant.schema_name, request.user.pk, request.get_full_path())
        if key in self.pages:
            content, content_type = self.pages[key]
            return HttpResponse(content, content_type=content_type)
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            self.pages[key] = (response.content, response["Content-Type"])
        return response
