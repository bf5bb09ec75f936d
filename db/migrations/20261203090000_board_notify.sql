-- migrate:up

-- Every change to what a clinic's board shows bumps one of the clinic's versions: board_version
-- (any ticket written, any patient corrected: 20261202130000) or catalog_version (its master
-- data and thresholds, which name the doctors and decide the states). Each bump announces the
-- clinic on the board_changed channel, which every instance listens to (live/), so the boards
-- open on any instance refresh within seconds. NOTIFY is delivered at commit and only then (a
-- rolled-back change announces nothing), and the identical payloads of one transaction are
-- delivered once: a transaction announces each clinic it changed once.
-- A plain AFTER UPDATE trigger, not UPDATE OF: catalog_version is also bumped by the BEFORE
-- trigger on clinics' thresholds, which UPDATE OF would not see.
CREATE FUNCTION board_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('board_changed', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER clinics_board_changed AFTER UPDATE ON clinics FOR EACH ROW
    WHEN (OLD.board_version IS DISTINCT FROM NEW.board_version
          OR OLD.catalog_version IS DISTINCT FROM NEW.catalog_version)
    EXECUTE FUNCTION board_notify();

-- migrate:down

DROP TRIGGER clinics_board_changed ON clinics;
DROP FUNCTION board_notify();
