-- migrate:up

-- Tenant context: set transaction-locally by store.WithTenant with set_config(..., true).
-- Without the settings a query sees no tenant rows (fails closed).
CREATE FUNCTION app_clinic_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.clinic_id', true), '')::bigint $$;

CREATE FUNCTION app_all_clinics() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.all_clinics', true), '') = 'on' $$;

CREATE TABLE clinics (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    code           text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{2,6}$'),
    active         boolean NOT NULL DEFAULT true,
    -- RULES §6: urgency thresholds, 0 < critical < warning <= 72.
    critical_hours smallint NOT NULL DEFAULT 2,
    warning_hours  smallint NOT NULL DEFAULT 8,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinics_thresholds_check CHECK (critical_hours > 0 AND critical_hours < warning_hours AND warning_hours <= 72)
);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL only for global superusers.
    clinic_id     bigint REFERENCES clinics (id),
    username      text NOT NULL CHECK (username ~ '^[a-z0-9._-]{3,40}$'),
    email         text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$'),
    -- NULL for users who only sign in through IAP.
    password_hash text,
    role          text NOT NULL CHECK (role IN ('superuser', 'admin', 'clinical', 'visualizador')),
    active        boolean NOT NULL DEFAULT true,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_superuser_global_check CHECK ((role = 'superuser') = (clinic_id IS NULL))
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Allow-list of e-mails that become global superusers on their first IAP sign-in.
CREATE TABLE superusers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX superusers_email_key ON superusers (lower(email));

-- Server-side sessions (gofiber/storage/postgres layout: key, value, expiry in unix seconds).
CREATE TABLE sessions (
    k varchar(64) PRIMARY KEY NOT NULL DEFAULT '',
    v bytea NOT NULL,
    e bigint NOT NULL DEFAULT 0
);
CREATE INDEX sessions_e_idx ON sessions (e);

CREATE TABLE login_audit (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    user_id    bigint REFERENCES users (id),
    -- NULL when the attempt names no known user, or a global superuser.
    clinic_id  bigint REFERENCES clinics (id),
    username   text NOT NULL,
    method     text NOT NULL CHECK (method IN ('password', 'iap')),
    success    boolean NOT NULL,
    reason     text NOT NULL DEFAULT '',
    ip         text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX login_audit_clinic_at_idx ON login_audit (clinic_id, at DESC);
CREATE INDEX login_audit_user_idx ON login_audit (user_id);

CREATE TABLE action_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     bigint REFERENCES users (id),
    -- NULL for actions on global data (clinics, superusers).
    clinic_id   bigint REFERENCES clinics (id),
    action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 60),
    entity      text NOT NULL CHECK (length(entity) BETWEEN 1 AND 60),
    entity_id   bigint,
    details     jsonb NOT NULL DEFAULT '{}',
    request_id  text NOT NULL DEFAULT ''
);
CREATE INDEX action_audit_clinic_at_idx ON action_audit (clinic_id, at DESC);
CREATE INDEX action_audit_entity_idx ON action_audit (entity, entity_id);

-- Audit rows are append-only: no UPDATE, DELETE or TRUNCATE, not even for the table owner.
CREATE FUNCTION audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER login_audit_append_only BEFORE UPDATE OR DELETE ON login_audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER login_audit_no_truncate BEFORE TRUNCATE ON login_audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER action_audit_append_only BEFORE UPDATE OR DELETE ON action_audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER action_audit_no_truncate BEFORE TRUNCATE ON action_audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON login_audit, action_audit FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON login_audit, action_audit FROM CURRENT_USER;

CREATE TABLE specialties (
    clinic_id  bigint NOT NULL REFERENCES clinics (id),
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, name)
);

CREATE TABLE surgeries (
    clinic_id              bigint NOT NULL,
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    specialty_id           bigint NOT NULL,
    name                   text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 150),
    -- RULES §2: 0 < H <= 2160 hours, decimal.
    base_stay_hours        numeric(6,2) NOT NULL CHECK (base_stay_hours > 0 AND base_stay_hours <= 2160),
    is_ambulatory          boolean NOT NULL DEFAULT false,
    ambulatory_cutoff_hour smallint CHECK (ambulatory_cutoff_hour BETWEEN 0 AND 23),
    active                 boolean NOT NULL DEFAULT true,
    created_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, specialty_id, name),
    FOREIGN KEY (clinic_id, specialty_id) REFERENCES specialties (clinic_id, id),
    -- RULES §2: the cut-off hour is required iff the surgery is ambulatory.
    CONSTRAINT surgeries_cutoff_check CHECK (is_ambulatory = (ambulatory_cutoff_hour IS NOT NULL))
);

CREATE TABLE doctors (
    clinic_id    bigint NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name   text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name    text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    specialty_id bigint,
    -- Canonical RUT (12345678-5), unique within the clinic.
    rut          text CHECK (rut IS NULL OR rut ~ '^[0-9]{1,8}-[0-9K]$'),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, rut),
    FOREIGN KEY (clinic_id, specialty_id) REFERENCES specialties (clinic_id, id)
);

-- RULES §1: two-hour windows [start, end) in minutes from local midnight.
CREATE TABLE discharge_blocks (
    clinic_id    bigint NOT NULL REFERENCES clinics (id),
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    start_minute smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, start_minute),
    CONSTRAINT discharge_blocks_range_check CHECK (start_minute < end_minute)
);

CREATE TABLE reasons (
    clinic_id  bigint NOT NULL REFERENCES clinics (id),
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category   text NOT NULL CHECK (category IN ('modification', 'annulment')),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, category, name)
);

-- Row-level security: the backstop under the application's own clinic filters.
ALTER TABLE clinics ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinics FORCE ROW LEVEL SECURITY;
CREATE POLICY clinics_tenant ON clinics
    USING (app_all_clinics() OR id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR id = app_clinic_id());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant ON users
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE login_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY login_audit_tenant ON login_audit
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE action_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE action_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY action_audit_tenant ON action_audit
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE specialties ENABLE ROW LEVEL SECURITY;
ALTER TABLE specialties FORCE ROW LEVEL SECURITY;
CREATE POLICY specialties_tenant ON specialties
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE surgeries ENABLE ROW LEVEL SECURITY;
ALTER TABLE surgeries FORCE ROW LEVEL SECURITY;
CREATE POLICY surgeries_tenant ON surgeries
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE doctors ENABLE ROW LEVEL SECURITY;
ALTER TABLE doctors FORCE ROW LEVEL SECURITY;
CREATE POLICY doctors_tenant ON doctors
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE discharge_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE discharge_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY discharge_blocks_tenant ON discharge_blocks
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE reasons ENABLE ROW LEVEL SECURITY;
ALTER TABLE reasons FORCE ROW LEVEL SECURITY;
CREATE POLICY reasons_tenant ON reasons
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

-- migrate:down

DROP TABLE reasons;
DROP TABLE discharge_blocks;
DROP TABLE doctors;
DROP TABLE surgeries;
DROP TABLE specialties;
DROP TABLE action_audit;
DROP TABLE login_audit;
DROP FUNCTION audit_append_only();
DROP TABLE sessions;
DROP TABLE superusers;
DROP TABLE users;
DROP TABLE clinics;
DROP FUNCTION app_all_clinics();
DROP FUNCTION app_clinic_id();
