-- migrate:up

-- A session keeps what it needs of its user and clinic (role, clinic, names), stamped with
-- their versions; every transaction of a request starts with app_enter, which checks the
-- stamps and sets the row-level security scope in one statement. A change to the user (role,
-- clinic, active, name, e-mail, password) or to the clinic (name, code, active) bumps its
-- version, so the user's next request sees it. A change to a clinic's master data or its
-- thresholds bumps catalog_version, which app_enter returns so that every instance knows
-- when its cached copy of the catalog is outdated.
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE clinics
    ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    ADD COLUMN catalog_version bigint NOT NULL DEFAULT 1 CHECK (catalog_version >= 1);

CREATE FUNCTION users_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.username, NEW.email, NEW.password_hash, NEW.role, NEW.active, NEW.clinic_id)
       IS DISTINCT FROM (OLD.username, OLD.email, OLD.password_hash, OLD.role, OLD.active, OLD.clinic_id) THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER users_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_bump_version();

CREATE FUNCTION clinics_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.code, NEW.active) IS DISTINCT FROM (OLD.name, OLD.code, OLD.active) THEN
        NEW.version := OLD.version + 1;
    END IF;
    IF (NEW.critical_hours, NEW.warning_hours) IS DISTINCT FROM (OLD.critical_hours, OLD.warning_hours) THEN
        NEW.catalog_version := OLD.catalog_version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER clinics_version BEFORE UPDATE ON clinics FOR EACH ROW EXECUTE FUNCTION clinics_bump_version();

CREATE FUNCTION catalog_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE clinics SET catalog_version = catalog_version + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.clinic_id ELSE NEW.clinic_id END;
    IF TG_OP = 'UPDATE' AND NEW.clinic_id IS DISTINCT FROM OLD.clinic_id THEN
        UPDATE clinics SET catalog_version = catalog_version + 1 WHERE id = OLD.clinic_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER specialties_catalog_version AFTER INSERT OR UPDATE OR DELETE ON specialties
    FOR EACH ROW EXECUTE FUNCTION catalog_bump_version();
CREATE TRIGGER surgeries_catalog_version AFTER INSERT OR UPDATE OR DELETE ON surgeries
    FOR EACH ROW EXECUTE FUNCTION catalog_bump_version();
CREATE TRIGGER doctors_catalog_version AFTER INSERT OR UPDATE OR DELETE ON doctors
    FOR EACH ROW EXECUTE FUNCTION catalog_bump_version();
CREATE TRIGGER discharge_blocks_catalog_version AFTER INSERT OR UPDATE OR DELETE ON discharge_blocks
    FOR EACH ROW EXECUTE FUNCTION catalog_bump_version();
CREATE TRIGGER reasons_catalog_version AFTER INSERT OR UPDATE OR DELETE ON reasons
    FOR EACH ROW EXECUTE FUNCTION catalog_bump_version();

-- app_enter(user, user version, clinic, clinic version) begins a request's transaction: the
-- user must exist, be active and still be at the version the session knows; a clinic user
-- acts on their own clinic, which must be active and at the known version; a superuser acts
-- on the clinic given (any, at its known version) or, with clinic 0, on every clinic. It
-- then sets the transaction's scope and returns the clinic's catalog version (0 for every
-- clinic). Anything else raises TH001, and the request reloads what its session knows.
CREATE FUNCTION app_enter(p_user bigint, p_user_version bigint, p_clinic bigint, p_clinic_version bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    u users%ROWTYPE;
    c clinics%ROWTYPE;
BEGIN
    PERFORM set_config('app.all_clinics', 'on', true), set_config('app.clinic_id', '', true);
    SELECT * INTO u FROM users WHERE id = p_user;
    IF NOT FOUND OR NOT u.active OR u.version <> p_user_version
       OR (u.role <> 'superuser' AND u.clinic_id IS DISTINCT FROM p_clinic) THEN
        RAISE EXCEPTION 'the session''s user changed' USING ERRCODE = 'TH001';
    END IF;
    IF u.role = 'superuser' AND p_clinic = 0 THEN
        RETURN 0;
    END IF;
    SELECT * INTO c FROM clinics WHERE id = p_clinic;
    IF NOT FOUND OR c.version <> p_clinic_version OR (u.role <> 'superuser' AND NOT c.active) THEN
        RAISE EXCEPTION 'the session''s clinic changed' USING ERRCODE = 'TH001';
    END IF;
    PERFORM set_config('app.all_clinics', 'off', true), set_config('app.clinic_id', p_clinic::text, true);
    RETURN c.catalog_version;
END $$;

-- The board's history chips ("Anulados", "De alta") count a clinic's whole history: kept
-- here, per clinic, in the same transaction as every change of a ticket's status, so the
-- unfiltered board reads two rows instead of counting the history on every request.
CREATE TABLE ticket_state_counts (
    clinic_id bigint NOT NULL REFERENCES clinics (id),
    status    text NOT NULL CHECK (status IN ('anulado', 'alta')),
    n         bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (clinic_id, status)
);
ALTER TABLE ticket_state_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_state_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY ticket_state_counts_tenant ON ticket_state_counts
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

INSERT INTO ticket_state_counts (clinic_id, status, n)
SELECT clinic_id, status, count(*) FROM tickets WHERE status IN ('anulado', 'alta') GROUP BY 1, 2;

-- Statement triggers with transition tables: a load of a million tickets adds its counts
-- once, not a million times. Rows are touched in key order, so two writers never deadlock.
CREATE FUNCTION tickets_count_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_state_counts AS s (clinic_id, status, n)
        SELECT clinic_id, status, count(*) FROM new_rows WHERE status IN ('anulado', 'alta')
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (clinic_id, status) DO UPDATE SET n = s.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Decrements update rows that exist; increments may add a row (a CHECK refuses a
        -- negative row even when the insert would become an update).
        UPDATE ticket_state_counts s SET n = s.n + d.d
        FROM (SELECT clinic_id, status, sum(d) AS d FROM (
                  SELECT clinic_id, status, 1 AS d FROM new_rows
                  UNION ALL
                  SELECT clinic_id, status, -1 FROM old_rows
              ) x WHERE status IN ('anulado', 'alta')
              GROUP BY 1, 2 HAVING sum(d) < 0) d
        WHERE s.clinic_id = d.clinic_id AND s.status = d.status;
        INSERT INTO ticket_state_counts AS s (clinic_id, status, n)
        SELECT clinic_id, status, sum(d) FROM (
            SELECT clinic_id, status, 1 AS d FROM new_rows
            UNION ALL
            SELECT clinic_id, status, -1 FROM old_rows
        ) x WHERE status IN ('anulado', 'alta')
        GROUP BY 1, 2 HAVING sum(d) > 0 ORDER BY 1, 2
        ON CONFLICT (clinic_id, status) DO UPDATE SET n = s.n + excluded.n;
    ELSE
        UPDATE ticket_state_counts s SET n = s.n - o.n
        FROM (SELECT clinic_id, status, count(*) AS n FROM old_rows WHERE status IN ('anulado', 'alta')
              GROUP BY 1, 2) o
        WHERE s.clinic_id = o.clinic_id AND s.status = o.status;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_count_inserted AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_states();
CREATE TRIGGER tickets_count_updated AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_states();
CREATE TRIGGER tickets_count_deleted AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_states();

-- migrate:down

DROP TRIGGER tickets_count_deleted ON tickets;
DROP TRIGGER tickets_count_updated ON tickets;
DROP TRIGGER tickets_count_inserted ON tickets;
DROP FUNCTION tickets_count_states();
DROP TABLE ticket_state_counts;
DROP FUNCTION app_enter(bigint, bigint, bigint, bigint);
DROP TRIGGER reasons_catalog_version ON reasons;
DROP TRIGGER discharge_blocks_catalog_version ON discharge_blocks;
DROP TRIGGER doctors_catalog_version ON doctors;
DROP TRIGGER surgeries_catalog_version ON surgeries;
DROP TRIGGER specialties_catalog_version ON specialties;
DROP FUNCTION catalog_bump_version();
DROP TRIGGER clinics_version ON clinics;
DROP FUNCTION clinics_bump_version();
DROP TRIGGER users_version ON users;
DROP FUNCTION users_bump_version();
ALTER TABLE clinics DROP COLUMN catalog_version, DROP COLUMN version;
ALTER TABLE users DROP COLUMN version;
