# The customer's QBRs show on the account 360, cached under public.keel_account_version
# (cockpit migration 0004): any write here gives the schema's customer a fresh version in the
# same statement. The function names no tenant schema: it finds the customer by the schema of
# the table written, so the template schema's copy carries the trigger unchanged.

from django.db import migrations

FORWARD = """
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qbr_report
    FOR EACH STATEMENT EXECUTE FUNCTION public.keel_account_touch_schema();
"""
BACKWARD = "DROP TRIGGER keel_account_touch ON qbr_report;"


class Migration(migrations.Migration):
    dependencies = [
        ("qbr", "0002_outcome_metric"),
        ("cockpit", "0004_account_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
