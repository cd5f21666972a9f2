# Checklist.version: a fresh number (public.keel_version_seq) in the same statement as any change
# to the checklist, its phases, tasks, prerequisites, comments, evidence or activity, however it
# is made (a service, the admin, a queryset update, a cascade). The checklist page caches its
# rendered board under this version (onboarding/fragments.py), so invalidation is exact.

from django.db import migrations, models

# Tenant schemas are copied from a template by replaying its DDL under another name
# (portal/tenancy/template_schema.py), so the functions name no schema: they act on the schema
# of the table that fired them (TG_TABLE_SCHEMA).
FORWARD = """
CREATE FUNCTION keel_checklist_version_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('public.keel_version_seq');
    RETURN NEW;
END
$$;
CREATE TRIGGER keel_checklist_version_next
    BEFORE INSERT OR UPDATE ON onboarding_checklist
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_version_next();

-- TG_ARGV[0]: the column that leads to the checklist, "checklist_id" or a task column.
CREATE FUNCTION keel_checklist_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    ids bigint[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        ids := ids || (to_jsonb(OLD) ->> col)::bigint;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        ids := ids || (to_jsonb(NEW) ->> col)::bigint;
    END IF;
    IF col = 'checklist_id' THEN
        EXECUTE format('UPDATE %I.onboarding_checklist SET version = 0 WHERE id = ANY($1)', TG_TABLE_SCHEMA)
            USING ids;
    ELSE
        EXECUTE format(
            'UPDATE %1$I.onboarding_checklist SET version = 0 '
            'WHERE id IN (SELECT checklist_id FROM %1$I.onboarding_task WHERE id = ANY($1))',
            TG_TABLE_SCHEMA
        ) USING ids;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER keel_checklist_touch AFTER INSERT OR UPDATE OR DELETE ON onboarding_phase
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_touch('checklist_id');
CREATE TRIGGER keel_checklist_touch AFTER INSERT OR UPDATE OR DELETE ON onboarding_task
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_touch('checklist_id');
CREATE TRIGGER keel_checklist_touch AFTER INSERT OR UPDATE OR DELETE ON onboarding_activity
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_touch('checklist_id');
CREATE TRIGGER keel_checklist_touch AFTER INSERT OR UPDATE OR DELETE ON onboarding_comment
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_touch('task_id');
CREATE TRIGGER keel_checklist_touch AFTER INSERT OR UPDATE OR DELETE ON onboarding_evidence
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_touch('task_id');
CREATE TRIGGER keel_checklist_touch AFTER INSERT OR UPDATE OR DELETE ON onboarding_task_depends_on
    FOR EACH ROW EXECUTE FUNCTION keel_checklist_touch('from_task_id');
"""
BACKWARD = """
DROP TRIGGER keel_checklist_touch ON onboarding_task_depends_on;
DROP TRIGGER keel_checklist_touch ON onboarding_evidence;
DROP TRIGGER keel_checklist_touch ON onboarding_comment;
DROP TRIGGER keel_checklist_touch ON onboarding_activity;
DROP TRIGGER keel_checklist_touch ON onboarding_task;
DROP TRIGGER keel_checklist_touch ON onboarding_phase;
DROP FUNCTION keel_checklist_touch();
DROP TRIGGER keel_checklist_version_next ON onboarding_checklist;
DROP FUNCTION keel_checklist_version_next();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('onboarding', '0002_task_read_confirm_ref'),
        ('accounts', '0006_user_names_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='checklist',
            name='version',
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
