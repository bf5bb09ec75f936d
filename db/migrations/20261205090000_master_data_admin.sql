-- migrate:up
-- Master data is edited in the application (RULES §1, §2, §6): each editable row carries a
-- version so that an edit made from an old form is refused (409) instead of overwriting
-- another admin's; names are unique per clinic ignoring case and accents; a clinic never
-- loses its last active discharge block, however many transactions try at once.
ALTER TABLE specialties ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE surgeries ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE doctors ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE reasons ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);

ALTER TABLE specialties DROP CONSTRAINT specialties_clinic_id_name_key;
ALTER TABLE surgeries DROP CONSTRAINT surgeries_clinic_id_specialty_id_name_key;
ALTER TABLE reasons DROP CONSTRAINT reasons_clinic_id_category_name_key;
CREATE UNIQUE INDEX specialties_name_key ON specialties (clinic_id, fold(name));
CREATE UNIQUE INDEX surgeries_name_key ON surgeries (clinic_id, fold(name));
CREATE UNIQUE INDEX doctors_name_key ON doctors (clinic_id, fold(first_name || ' ' || last_name));
CREATE UNIQUE INDEX reasons_name_key ON reasons (clinic_id, category, fold(name));

-- The last active block: the clinic's row is locked first, so that of two transactions
-- deactivating a clinic's last two blocks the second waits for the first and then counts
-- what it committed (each statement of a READ COMMITTED transaction sees the latest commits).
CREATE FUNCTION discharge_blocks_keep_one_active() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.active AND NOT NEW.active THEN
        PERFORM 1 FROM clinics WHERE id = NEW.clinic_id FOR UPDATE;
        IF NOT EXISTS (SELECT 1 FROM discharge_blocks
                       WHERE clinic_id = NEW.clinic_id AND active AND id <> NEW.id) THEN
            RAISE EXCEPTION 'a clinic keeps at least one active discharge block' USING ERRCODE = 'TH002';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER discharge_blocks_keep_one_active BEFORE UPDATE OF active ON discharge_blocks
    FOR EACH ROW EXECUTE FUNCTION discharge_blocks_keep_one_active();

-- migrate:down
DROP TRIGGER discharge_blocks_keep_one_active ON discharge_blocks;
DROP FUNCTION discharge_blocks_keep_one_active();
DROP INDEX reasons_name_key, doctors_name_key, surgeries_name_key, specialties_name_key;
ALTER TABLE reasons ADD CONSTRAINT reasons_clinic_id_category_name_key UNIQUE (clinic_id, category, name);
ALTER TABLE surgeries ADD CONSTRAINT surgeries_clinic_id_specialty_id_name_key UNIQUE (clinic_id, specialty_id, name);
ALTER TABLE specialties ADD CONSTRAINT specialties_clinic_id_name_key UNIQUE (clinic_id, name);
ALTER TABLE reasons DROP COLUMN version;
ALTER TABLE doctors DROP COLUMN version;
ALTER TABLE surgeries DROP COLUMN version;
ALTER TABLE specialties DROP COLUMN version;
