-- migrate:up
-- RULES §1c: how many discharges a clinic's wards can process in one block (the dashboard's
-- load per block and the create and modify forms' warning), set by the clinic's admin.
ALTER TABLE clinics ADD COLUMN discharge_capacity smallint NOT NULL DEFAULT 4
    CHECK (discharge_capacity BETWEEN 1 AND 50);

-- The dashboard counts tickets by when they were discharged (plans held).
CREATE INDEX tickets_discharged_idx ON tickets (clinic_id, discharged_at) WHERE status = 'alta';
-- and by when they were created, whatever their status.
CREATE INDEX tickets_created_idx ON tickets (clinic_id, created_at);

-- migrate:down
DROP INDEX tickets_created_idx;
DROP INDEX tickets_discharged_idx;
ALTER TABLE clinics DROP COLUMN discharge_capacity;
