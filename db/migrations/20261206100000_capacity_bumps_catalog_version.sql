-- migrate:up
-- RULES §1c: the discharge capacity is read with the clinic's cached catalog (the catalog page
-- shows it beside the thresholds), so a change of it bumps catalog_version as the thresholds'
-- does, and every instance reads the new value at its next request.
CREATE OR REPLACE FUNCTION clinics_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.code, NEW.active) IS DISTINCT FROM (OLD.name, OLD.code, OLD.active) THEN
        NEW.version := OLD.version + 1;
    END IF;
    IF (NEW.critical_hours, NEW.warning_hours, NEW.discharge_capacity)
       IS DISTINCT FROM (OLD.critical_hours, OLD.warning_hours, OLD.discharge_capacity) THEN
        NEW.catalog_version := OLD.catalog_version + 1;
    END IF;
    RETURN NEW;
END $$;

-- migrate:down
CREATE OR REPLACE FUNCTION clinics_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.code, NEW.active) IS DISTINCT FROM (OLD.name, OLD.code, OLD.active) THEN
        NEW.version := OLD.version + 1;
    END IF;
    IF (NEW.critical_hours, NEW.warning_hours) IS DISTINCT FROM (OLD.critical_hours, OLD.warning_hours) THEN
        NEW.catalog_version := OLD.catalog_version + 1;
    END IF;
    RETURN NEW;
END $$;
