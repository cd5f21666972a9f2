# The account 360's version: one row a customer, public.keel_account_version, given a fresh
# public.keel_version_seq number in the same statement as any change to what the page shows of
# that customer and reads from these tables: its calls to action, account notes, stalls, audit
# events, memberships, its people's last sign-in, and (keel_account_touch triggers in the
# tenant schemas, metrics and qbr migrations) its NPS answers and QBRs. Whoever writes: a service,
# the admin, a queryset update, a cascade. The account 360 caches its rendered sections under this
# version (metrics/cockpit/caching.py), so invalidation is exact. One row per customer: writers of
# one customer serialise on it, writers of different customers never meet.

from django.db import migrations

FORWARD = """
CREATE TABLE public.keel_account_version (
    tenant_id bigint PRIMARY KEY,
    version bigint NOT NULL
);

CREATE FUNCTION public.keel_account_bump(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.keel_account_version (tenant_id, version)
    SELECT id, nextval('public.keel_version_seq')
    FROM (SELECT DISTINCT id FROM unnest(ids) AS id WHERE id IS NOT NULL) AS customers
    ON CONFLICT (tenant_id) DO UPDATE SET version = EXCLUDED.version;
$$;

-- TG_ARGV[0]: the row's column naming the customer (tenant_id).
CREATE FUNCTION public.keel_account_touch() RETURNS trigger LANGUAGE plpgsql AS $$
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
    PERFORM public.keel_account_bump(ids);
    RETURN NULL;
END
$$;

-- A user's last sign-in shows in the "People" of every customer they belong to.
CREATE FUNCTION public.keel_account_touch_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.keel_account_bump(
        ARRAY(SELECT tenant_id::bigint FROM public.accounts_membership WHERE user_id = NEW.id)
    );
    RETURN NULL;
END
$$;

-- For the tenant schemas' tables: the customer is the schema written (TG_TABLE_SCHEMA).
CREATE FUNCTION public.keel_account_touch_schema() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.keel_account_bump(
        ARRAY(SELECT id::bigint FROM public.tenancy_tenant WHERE schema_name = TG_TABLE_SCHEMA)
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.cockpit_cta
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.cockpit_accountnote
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.stalls_stallepisode
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
CREATE TRIGGER keel_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
-- Named to fire after keel_membership_access_version (triggers fire in name order), so a
-- membership write locks the user's row before the customer's version row, in the same order as
-- a sign-in (the user's row, then its customers'): the two can never deadlock.
CREATE TRIGGER keel_membership_account_touch AFTER INSERT OR UPDATE OR DELETE ON public.accounts_membership
    FOR EACH ROW EXECUTE FUNCTION public.keel_account_touch('tenant_id');
CREATE TRIGGER keel_account_touch AFTER UPDATE OF last_login ON public.accounts_user
    FOR EACH ROW WHEN (OLD.last_login IS DISTINCT FROM NEW.last_login)
    EXECUTE FUNCTION public.keel_account_touch_user();
"""
BACKWARD = """
DROP TRIGGER keel_account_touch ON public.accounts_user;
DROP TRIGGER keel_membership_account_touch ON public.accounts_membership;
DROP TRIGGER keel_account_touch ON public.audit_auditevent;
DROP TRIGGER keel_account_touch ON public.stalls_stallepisode;
DROP TRIGGER keel_account_touch ON public.cockpit_accountnote;
DROP TRIGGER keel_account_touch ON public.cockpit_cta;
DROP FUNCTION public.keel_account_touch_schema();
DROP FUNCTION public.keel_account_touch_user();
DROP FUNCTION public.keel_account_touch();
DROP FUNCTION public.keel_account_bump(bigint[]);
DROP TABLE public.keel_account_version;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cockpit", "0003_cta_reason_args"),
        ("stalls", "0001_initial"),
        ("audit", "0001_initial"),
        ("accounts", "0006_user_names_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
