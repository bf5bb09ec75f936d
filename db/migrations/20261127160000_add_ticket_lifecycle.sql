-- migrate:up

-- RULES §5: annulment (with a reason of category annulment) and the recorded discharge.
-- The current annulment or discharge lives on the ticket; every change is also in the audit.
ALTER TABLE tickets
    ADD COLUMN annulled_at           timestamptz,
    ADD COLUMN annulled_by           bigint REFERENCES users (id),
    ADD COLUMN annul_reason_id       bigint,
    ADD COLUMN annul_note            text NOT NULL DEFAULT '' CHECK (length(annul_note) <= 1000),
    ADD COLUMN discharged_at         timestamptz,
    ADD COLUMN discharge_recorded_at timestamptz,
    ADD COLUMN discharge_recorded_by bigint REFERENCES users (id),
    ADD CONSTRAINT tickets_annul_reason_fkey FOREIGN KEY (clinic_id, annul_reason_id) REFERENCES reasons (clinic_id, id),
    ADD CONSTRAINT tickets_annulled_check CHECK ((status = 'anulado') = (annulled_at IS NOT NULL AND annulled_by IS NOT NULL AND annul_reason_id IS NOT NULL)),
    ADD CONSTRAINT tickets_discharged_check CHECK ((status = 'alta') = (discharged_at IS NOT NULL AND discharge_recorded_at IS NOT NULL AND discharge_recorded_by IS NOT NULL)),
    -- RULES §5: P < D.
    ADD CONSTRAINT tickets_discharge_after_pavilion_check CHECK (discharged_at IS NULL OR discharged_at > pavilion_end_at);

-- RULES §4: each FPA modification, numbered 1..5 per ticket.
CREATE TABLE fpa_modifications (
    clinic_id            bigint NOT NULL,
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id            bigint NOT NULL,
    seq                  smallint NOT NULL CHECK (seq BETWEEN 1 AND 5),
    previous_fpa_at      timestamptz NOT NULL,
    previous_block_start smallint NOT NULL,
    previous_block_end   smallint NOT NULL,
    new_fpa_at           timestamptz NOT NULL,
    new_block_start      smallint NOT NULL,
    new_block_end        smallint NOT NULL,
    reason_id            bigint NOT NULL,
    justification        text NOT NULL CHECK (length(btrim(justification)) BETWEEN 1 AND 1000),
    direction            text NOT NULL CHECK (direction IN ('later', 'earlier')),
    extra_nights         integer NOT NULL,
    modified_by          bigint NOT NULL REFERENCES users (id),
    modified_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ticket_id, seq),
    UNIQUE (clinic_id, id),
    FOREIGN KEY (clinic_id, ticket_id) REFERENCES tickets (clinic_id, id),
    FOREIGN KEY (clinic_id, reason_id) REFERENCES reasons (clinic_id, id),
    CONSTRAINT fpa_modifications_changed_check CHECK (new_fpa_at <> previous_fpa_at)
);
CREATE INDEX fpa_modifications_ticket_idx ON fpa_modifications (clinic_id, ticket_id, seq);

-- Idempotency: every form that changes a ticket carries a one-time key; a repeated submit
-- (double tap, a retry after a dropped connection) finds its key here and changes nothing.
CREATE TABLE form_submissions (
    clinic_id  bigint NOT NULL REFERENCES clinics (id),
    key        text NOT NULL CHECK (length(key) BETWEEN 16 AND 64),
    ticket_id  bigint NOT NULL,
    action     text NOT NULL,
    created_by bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, key),
    FOREIGN KEY (clinic_id, ticket_id) REFERENCES tickets (clinic_id, id)
);

ALTER TABLE fpa_modifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE fpa_modifications FORCE ROW LEVEL SECURITY;
CREATE POLICY fpa_modifications_tenant ON fpa_modifications
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY form_submissions_tenant ON form_submissions
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

-- migrate:down

DROP TABLE form_submissions;
DROP TABLE fpa_modifications;
ALTER TABLE tickets
    DROP CONSTRAINT tickets_discharge_after_pavilion_check,
    DROP CONSTRAINT tickets_discharged_check,
    DROP CONSTRAINT tickets_annulled_check,
    DROP CONSTRAINT tickets_annul_reason_fkey,
    DROP COLUMN discharge_recorded_by,
    DROP COLUMN discharge_recorded_at,
    DROP COLUMN discharged_at,
    DROP COLUMN annul_note,
    DROP COLUMN annul_reason_id,
    DROP COLUMN annulled_by,
    DROP COLUMN annulled_at;
