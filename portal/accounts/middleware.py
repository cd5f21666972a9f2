"""Per-request sign-in rules, after the tenant gate.

- Vendor staff who must use a second factor (KEEL_MFA_REQUIRED_ROLES) and have not confirmed a
  code in this session reach only the MFA pages and "log out": everything else sends them there
  (the API answers 403).
- A session made through Keel's sign-in records when it was last used, at most once a minute,
  for "Your sessions". Ended sessions need no check here: ending one deletes its session row.
"""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from .mfa import mfa_required_for
from .models import UserSession
from .signin import SESSION_MFA_KEY, SESSION_ROW_KEY, SESSION_SEEN_KEY

MFA_OPEN_PREFIXES = ("/mfa/", "/logout/", "/static/")
SEEN_EVERY_SECONDS = 60


class SignInSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            refusal = self._mfa_refusal(request, user)
            if refusal is not None:
                return refusal
            self._mark_seen(request)
        return self.get_response(request)

    @staticmethod
    def _mfa_refusal(request, user):
        if not user.is_vendor_staff or request.session.get(SESSION_MFA_KEY) or not mfa_required_for(user):
            return None
        if request.path_info.startswith(MFA_OPEN_PREFIXES):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": "Confirm your second factor first."}, status=403)
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _mark_seen(request):
        row_id = request.session.get(SESSION_ROW_KEY)
        if row_id is None:
            return
        now = timezone.now().timestamp()
        if now - request.session.get(SESSION_SEEN_KEY, 0) < SEEN_EVERY_SECONDS:
            return
        request.session[SESSION_SEEN_KEY] = now
        UserSession.objects.filter(pk=row_id, ended_at__isnull=True).update(last_seen_at=timezone.now())
