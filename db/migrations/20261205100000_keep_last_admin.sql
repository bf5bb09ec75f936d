-- migrate:up
-- A clinic keeps at least one active admin, and the network at least one active superuser
-- (RULES §9): deactivating or demoting the last one is refused, however many transactions
-- try at once. The clinic's row (for admins) or a transaction-level advisory lock (for
-- superusers) is taken first, so that the second of two such changes waits for the first and
-- then counts what it committed.
CREATE FUNCTION users_keep_last_admin() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.active AND OLD.role IN ('admin', 'superuser')
       AND (NOT NEW.active OR NEW.role <> OLD.role) THEN
        IF OLD.role = 'admin' THEN
            PERFORM 1 FROM clinics WHERE id = OLD.clinic_id FOR UPDATE;
            IF NOT EXISTS (SELECT 1 FROM users WHERE clinic_id = OLD.clinic_id AND role = 'admin'
                           AND active AND id <> OLD.id) THEN
                RAISE EXCEPTION 'a clinic keeps at least one active admin' USING ERRCODE = 'TH003';
            END IF;
        ELSE
            PERFORM pg_advisory_xact_lock(hashtext('users: last superuser'));
            IF NOT EXISTS (SELECT 1 FROM users WHERE role = 'superuser' AND active AND id <> OLD.id) THEN
                RAISE EXCEPTION 'at least one active superuser remains' USING ERRCODE = 'TH004';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER users_keep_last_admin BEFORE UPDATE OF active, role ON users
    FOR EACH ROW EXECUTE FUNCTION users_keep_last_admin();

-- migrate:down
DROP TRIGGER users_keep_last_admin ON users;
DROP FUNCTION users_keep_last_admin();
