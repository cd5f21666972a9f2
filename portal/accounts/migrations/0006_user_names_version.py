# A version for what a cached page shows of its users (their names and addresses): fragment
# caches keyed by it (onboarding/fragments.py) can never show a renamed user's old name.

from django.db import migrations

# ``keel_version_seq``: every version of a cached fragment's inputs is a fresh number from it,
# never reused, not even after a rollback (a counter + 1 would hand a rolled-back number out
# again, with other content behind it).
FORWARD = """
CREATE SEQUENCE keel_version_seq;
CREATE TABLE keel_user_names_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO keel_user_names_version VALUES (1, nextval('keel_version_seq'));
CREATE FUNCTION keel_user_names_version() RETURNS trigger
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
    UPDATE keel_user_names_version SET version = nextval('keel_version_seq') WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER keel_user_names_version
    AFTER UPDATE OF full_name, email ON accounts_user
    FOR EACH ROW
    WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION keel_user_names_version();
"""
BACKWARD = """
DROP TRIGGER keel_user_names_version ON accounts_user;
DROP FUNCTION keel_user_names_version();
DROP TABLE keel_user_names_version;
DROP SEQUENCE keel_version_seq;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_user_language_user_time_zone'),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
