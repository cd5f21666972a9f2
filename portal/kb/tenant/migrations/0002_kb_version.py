# A tenant's own pages move the knowledge base's version (kb migration 0002) in the same
# statement as any change to them. The function lives in the public schema and is named with
# it, so the template schema's copies (portal/tenancy/template_schema.py) carry the trigger
# unchanged.

from django.db import migrations

FORWARD = """
CREATE TRIGGER keel_kb_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kb_tenant_page
    FOR EACH STATEMENT EXECUTE FUNCTION public.keel_kb_version_next();
"""
BACKWARD = "DROP TRIGGER keel_kb_version ON kb_tenant_page;"


class Migration(migrations.Migration):

    dependencies = [
        ('kb_tenant', '0001_initial'),
        ('kb', '0002_kb_version'),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
