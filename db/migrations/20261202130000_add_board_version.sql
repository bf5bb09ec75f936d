-- migrate:up

-- board_version counts the changes to what a clinic's board shows: any ticket written, any
-- patient's data corrected. app_enter returns it with the catalog version, so an instance can
-- keep a clinic's active tickets in memory and know, in the request's first statement, whether
-- they are still what the database holds.
ALTER TABLE clinics ADD COLUMN board_version bigint NOT NULL DEFAULT 1 CHECK (board_version >= 1);

-- Statement triggers: one bump per clinic and statement, in clinic order (no deadlocks
-- between writers of several clinics; a load of a million tickets bumps each clinic once).
CREATE FUNCTION board_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE clinics SET board_version = board_version + 1
        WHERE id IN (SELECT DISTINCT clinic_id FROM old_rows ORDER BY 1);
    ELSE
        UPDATE clinics SET board_version = board_version + 1
        WHERE id IN (SELECT DISTINCT clinic_id FROM new_rows ORDER BY 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_board_inserted AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION board_bump_version();
CREATE TRIGGER tickets_board_updated AFTER UPDATE ON tickets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION board_bump_version();
CREATE TRIGGER tickets_board_deleted AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION board_bump_version();
CREATE TRIGGER patients_board_updated AFTER UPDATE ON patients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION board_bump_version();

-- app_enter now answers both versions of the clinic it enters (0 and 0 for every clinic).
DROP FUNCTION app_enter(bigint, bigint, bigint, bigint);
CREATE FUNCTION app_enter(p_user bigint, p_user_version bigint, p_clinic bigint, p_clinic_version bigint,
    OUT catalog_version bigint, OUT board_version bigint)
LANGUAGE plpgsql AS $$
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
        catalog_version := 0;
        board_version := 0;
        RETURN;
    END IF;
    SELECT * INTO c FROM clinics WHERE id = p_clinic;
    IF NOT FOUND OR c.version <> p_clinic_version OR (u.role <> 'superuser' AND NOT c.active) THEN
        RAISE EXCEPTION 'the session''s clinic changed' USING ERRCODE = 'TH001';
    END IF;
    PERFORM set_config('app.all_clinics', 'off', true), set_config('app.clinic_id', p_clinic::text, true);
    catalog_version := c.catalog_version;
    board_version := c.board_version;
END $$;

-- migrate:down

DROP FUNCTION app_enter(bigint, bigint, bigint, bigint);
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
DROP TRIGGER patients_board_updated ON patients;
DROP TRIGGER tickets_board_deleted ON tickets;
DROP TRIGGER tickets_board_updated ON tickets;
DROP TRIGGER tickets_board_inserted ON tickets;
DROP FUNCTION board_bump_version();
ALTER TABLE clinics DROP COLUMN board_version;
