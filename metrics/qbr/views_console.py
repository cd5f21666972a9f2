"""The QBR schedule on the console: when each visible customer's next review is due."""

from django.shortcuts import render

from portal.accounts.access import tenants_visible_to
from portal.accounts.decorators import staff_required

from . import selectors


@staff_required()
def qbr_schedule_list(request):
    tenants = tenants_visible_to(request.user).filter(ready=True).select_related("csm")
    return render(request, "qbr/schedule.html", {"rows": selectors.qbr_schedule_list(tenants)})
