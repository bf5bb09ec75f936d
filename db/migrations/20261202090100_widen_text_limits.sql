-- migrate:up

-- RULES §8b: names are 1–100 characters; bed, room, location and episode 1–40 characters.
ALTER TABLE patients
    DROP CONSTRAINT patients_last_name_father_check,
    DROP CONSTRAINT patients_last_name_mother_check,
    ADD CONSTRAINT patients_last_name_father_check CHECK (length(btrim(last_name_father)) BETWEEN 1 AND 100),
    ADD CONSTRAINT patients_last_name_mother_check CHECK (length(last_name_mother) <= 100);

ALTER TABLE tickets
    DROP CONSTRAINT tickets_room_check,
    DROP CONSTRAINT tickets_bed_check,
    DROP CONSTRAINT tickets_location_check,
    ADD CONSTRAINT tickets_room_check CHECK (length(room) <= 40),
    ADD CONSTRAINT tickets_bed_check CHECK (length(bed) <= 40),
    ADD CONSTRAINT tickets_location_check CHECK (length(location) <= 40);

-- migrate:down

ALTER TABLE tickets
    DROP CONSTRAINT tickets_room_check,
    DROP CONSTRAINT tickets_bed_check,
    DROP CONSTRAINT tickets_location_check,
    ADD CONSTRAINT tickets_room_check CHECK (length(room) <= 20),
    ADD CONSTRAINT tickets_bed_check CHECK (length(bed) <= 20),
    ADD CONSTRAINT tickets_location_check CHECK (length(location) <= 60);

ALTER TABLE patients
    DROP CONSTRAINT patients_last_name_father_check,
    DROP CONSTRAINT patients_last_name_mother_check,
    ADD CONSTRAINT patients_last_name_father_check CHECK (length(btrim(last_name_father)) BETWEEN 1 AND 60),
    ADD CONSTRAINT patients_last_name_mother_check CHECK (length(last_name_mother) <= 60);
