-- migrate:up

-- Lower case without Spanish accents, for searches that find "González" when typed "gonzalez".
CREATE FUNCTION fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT translate(lower($1), 'áéíóúüñàèìòù', 'aeiouunaeiou') $$;

-- A patient belongs to one clinic; the same person in another clinic is another patient
-- (RULES §8). The RUT is stored canonical (12345678-5).
CREATE TABLE patients (
    clinic_id        bigint NOT NULL REFERENCES clinics (id),
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rut              text NOT NULL CHECK (rut ~ '^[1-9][0-9]{0,7}-[0-9K]$'),
    first_names      text NOT NULL CHECK (length(btrim(first_names)) BETWEEN 1 AND 100),
    last_name_father text NOT NULL CHECK (length(btrim(last_name_father)) BETWEEN 1 AND 60),
    last_name_mother text NOT NULL DEFAULT '' CHECK (length(last_name_mother) <= 60),
    age              smallint CHECK (age BETWEEN 0 AND 130),
    sex              text CHECK (sex IN ('M', 'F', 'O')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, rut)
);

-- RULES §7: one counter row per (clinic, Santiago year), incremented inside the creating
-- transaction, so codes are gapless and unique across app instances.
CREATE TABLE ticket_counters (
    clinic_id bigint NOT NULL REFERENCES clinics (id),
    year      smallint NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last_seq  integer NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (clinic_id, year)
);

CREATE TABLE tickets (
    clinic_id           bigint NOT NULL REFERENCES clinics (id),
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                text NOT NULL UNIQUE CHECK (code ~ '^TH-[A-Z]{2,6}-[0-9]{4}-[0-9]{3,}$'),
    year                smallint NOT NULL,
    seq                 integer NOT NULL CHECK (seq >= 1),
    patient_id          bigint NOT NULL,
    surgery_id          bigint NOT NULL,
    doctor_id           bigint,
    -- Snapshot of the surgery as used for the FPA: later edits of the master data do not
    -- rewrite a ticket's history.
    surgery_name        text NOT NULL,
    specialty_name      text NOT NULL,
    base_stay_hours     numeric(6,2) NOT NULL CHECK (base_stay_hours > 0 AND base_stay_hours <= 2160),
    is_ambulatory       boolean NOT NULL,
    ambulatory_cutoff_hour smallint CHECK (ambulatory_cutoff_hour BETWEEN 0 AND 23),
    pavilion_end_at     timestamptz NOT NULL,
    -- Current FPA: the start of the chosen block, the block in minutes from local midnight,
    -- and the instant the block ends (elapsed, so DST-correct).
    fpa_at              timestamptz NOT NULL,
    fpa_block_start     smallint NOT NULL CHECK (fpa_block_start BETWEEN 0 AND 1439),
    fpa_block_end       smallint NOT NULL CHECK (fpa_block_end BETWEEN 1 AND 1440),
    fpa_end_at          timestamptz NOT NULL,
    -- RULES §2.5: the original FPA is frozen at creation.
    original_fpa_at     timestamptz NOT NULL,
    original_block_start smallint NOT NULL CHECK (original_block_start BETWEEN 0 AND 1439),
    original_block_end  smallint NOT NULL CHECK (original_block_end BETWEEN 1 AND 1440),
    status              text NOT NULL DEFAULT 'vigente' CHECK (status IN ('vigente', 'anulado', 'alta')),
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- RULES §4: at most five modifications, enforced here as well as in the application.
    modification_count  smallint NOT NULL DEFAULT 0 CHECK (modification_count BETWEEN 0 AND 5),
    room                text NOT NULL DEFAULT '' CHECK (length(room) <= 20),
    bed                 text NOT NULL DEFAULT '' CHECK (length(bed) <= 20),
    location            text NOT NULL DEFAULT '' CHECK (length(location) <= 60),
    -- The hospitalization episode: per ticket, since a patient has one per admission.
    episode_id          text NOT NULL DEFAULT '' CHECK (length(episode_id) <= 40),
    created_by          bigint NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id),
    UNIQUE (clinic_id, year, seq),
    FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
    FOREIGN KEY (clinic_id, surgery_id) REFERENCES surgeries (clinic_id, id),
    FOREIGN KEY (clinic_id, doctor_id) REFERENCES doctors (clinic_id, id),
    CONSTRAINT tickets_block_check CHECK (fpa_block_start < fpa_block_end AND original_block_start < original_block_end),
    -- RULES §2.4: the chosen block must end after the pavilion end.
    CONSTRAINT tickets_fpa_after_pavilion_check CHECK (fpa_end_at > pavilion_end_at),
    CONSTRAINT tickets_cutoff_check CHECK (is_ambulatory = (ambulatory_cutoff_hour IS NOT NULL))
);
-- A patient has at most one vigente ticket in a clinic.
CREATE UNIQUE INDEX tickets_one_vigente_per_patient ON tickets (clinic_id, patient_id) WHERE status = 'vigente';
-- The board: a clinic's active tickets by FPA.
CREATE INDEX tickets_active_fpa_idx ON tickets (clinic_id, fpa_at) WHERE status = 'vigente';
-- Lists over history: by state and creation.
CREATE INDEX tickets_clinic_status_created_idx ON tickets (clinic_id, status, created_at DESC);
CREATE INDEX tickets_patient_idx ON tickets (clinic_id, patient_id);

ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE patients FORCE ROW LEVEL SECURITY;
CREATE POLICY patients_tenant ON patients
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE ticket_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY ticket_counters_tenant ON ticket_counters
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tickets FORCE ROW LEVEL SECURITY;
CREATE POLICY tickets_tenant ON tickets
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

-- migrate:down

DROP TABLE tickets;
DROP TABLE ticket_counters;
DROP TABLE patients;
DROP FUNCTION fold(text);
