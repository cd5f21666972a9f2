# The knowledge base's version: a fresh number (public.keel_version_seq) in the same statement as
# any change to what a search or a reading list shows from it: the articles, their categories,
# the customers an article is shown to, and every tenant's own pages (kb_tenant migration 0002),
# however the change is made (a service, the admin, a queryset update, a cascade, a TRUNCATE).
# KB search results and the customer home's reading card are cached under it
# (portal/kb/search.py, onboarding/home.py), so invalidation is exact. One row for the whole
# knowledge base: authoring is rare, so a change to one tenant's pages renewing every tenant's
# cached searches costs little, and statement-level triggers serialise nothing but the writers
# of the knowledge base.

from django.db import migrations

FORWARD = """
CREATE TABLE keel_kb_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO keel_kb_version VALUES (1, nextval('keel_version_seq'));
CREATE FUNCTION keel_kb_version_next() RETURNS trigger
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
    UPDATE keel_kb_version SET version = nextval('keel_version_seq') WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER keel_kb_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kb_article
    FOR EACH STATEMENT EXECUTE FUNCTION keel_kb_version_next();
CREATE TRIGGER keel_kb_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kb_article_tenants
    FOR EACH STATEMENT EXECUTE FUNCTION keel_kb_version_next();
CREATE TRIGGER keel_kb_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kb_category
    FOR EACH STATEMENT EXECUTE FUNCTION keel_kb_version_next();
"""
BACKWARD = """
DROP TRIGGER keel_kb_version ON kb_category;
DROP TRIGGER keel_kb_version ON kb_article_tenants;
DROP TRIGGER keel_kb_version ON kb_article;
DROP FUNCTION keel_kb_version_next();
DROP TABLE keel_kb_version;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0001_initial'),
        ('accounts', '0006_user_names_version'),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
