"""Seed the demo with the longest names, titles and comments Keel accepts (run by `manage.py shell`).

Text fields get 10,000 characters; `CharField`s get their `max_length`. One unbroken word each:
the worst case for wrapping.
"""

from django_tenants.utils import schema_context

from onboarding.models import Comment, Evidence, Task
from portal.accounts.models import User
from portal.tenancy.models import Tenant

LONG = "W" * 10_000


def _fit(model, field: str) -> str:
    return LONG[: model._meta.get_field(field).max_length]


acme = Tenant.objects.get(slug="acme")
Tenant.objects.filter(pk=acme.pk).update(name=_fit(Tenant, "name"))
User.objects.filter(email="soc.lead@acme.example.com").update(full_name=_fit(User, "full_name"))
with schema_context(acme.schema_name):
    task = Task.objects.order_by("pk").first()
    Task.objects.filter(pk=task.pk).update(title=_fit(Task, "title"))
    author = User.objects.get(email="soc.lead@acme.example.com")
    Comment.objects.create(task=task, author=author, body=LONG)
    Evidence.objects.create(task=task, uploaded_by=author, text=LONG)
print("long inputs seeded")
