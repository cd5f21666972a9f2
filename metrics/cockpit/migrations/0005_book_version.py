# The CSM book is cached under its customers' versions (metrics/cockpit/caching.py), so what it
# shows of a customer beyond the account 360's tables moves the customer's version too: its own
# row (name, tier, renewal, CSM, last QBR), its health snapshot and its account facts (each a
# row of that customer's: writers of different customers never meet). The book's "last touch" is
# the last change by a user who is staff now, so a user's staff role moves the users' version
# (public.keel_user_names_version), as their name and e-mail do.

from django.db import migrations

FORWARD = """
CREATE TRIGGER keel_account_touch AFTER UPDATE ON public.tenancy_tenant
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('id');
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.health_healthsnapshot
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.cockpit_accountfacts
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
CREATE TRIGGER keel_user_staff_role_version AFTER UPDATE OF staff_role ON public.accounts_user
    FOR EACH ROW WHEN (OLD.staff_role IS DISTINCT FROM NEW.staff_role)
    EXECUTE FUNCTION public.keel_user_names_version();
"""
BACKWARD = """
DROP TRIGGER keel_user_staff_role_version ON public.accounts_user;
DROP TRIGGER keel_account_touch ON public.cockpit_accountfacts;
DROP TRIGGER keel_account_touch ON public.health_healthsnapshot;
DROP TRIGGER keel_account_touch ON public.tenancy_tenant;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cockpit", "0004_account_version"),
        ("health", "0007_scorecard"),
        ("tenancy", "0004_tenant_language_tenant_time_zone"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
