# The customer's NPS answers show on the account 360, cached under public.keel_account_version
# (cockpit migration 0004): any write here gives the schema's customer a fresh version in the
# same statement. The function names no tenant schema: it finds the customer by the schema of
# the table written, so the template schema's copy carries the trigger unchanged.

from django.db import migrations

FORWARD = """
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON metrics_npsresponse
    FOR EACH STATEMENT EXECUTE FUNCTION public.keel_account_touch_schema();
"""
BACKWARD = "DROP TRIGGER keel_account_touch ON metrics_npsresponse;"


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_healthscore_scorecard_version"),
        ("cockpit", "0004_account_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
