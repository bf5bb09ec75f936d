-- migrate:up

-- The policies call app_all_clinics() and app_clinic_id() inside scalar subqueries, so each is
-- evaluated once per statement (an init plan) rather than once per row: the board reads
-- thousands of rows per request. The meaning (and failing closed without settings) is unchanged.

ALTER POLICY clinics_tenant ON clinics
    USING ((SELECT app_all_clinics()) OR id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR id = (SELECT app_clinic_id()));

ALTER POLICY users_tenant ON users
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY login_audit_tenant ON login_audit
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY action_audit_tenant ON action_audit
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY specialties_tenant ON specialties
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY surgeries_tenant ON surgeries
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY doctors_tenant ON doctors
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY discharge_blocks_tenant ON discharge_blocks
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY reasons_tenant ON reasons
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY patients_tenant ON patients
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY ticket_counters_tenant ON ticket_counters
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY tickets_tenant ON tickets
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY fpa_modifications_tenant ON fpa_modifications
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

ALTER POLICY form_submissions_tenant ON form_submissions
    USING ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()))
    WITH CHECK ((SELECT app_all_clinics()) OR clinic_id = (SELECT app_clinic_id()));

-- migrate:down

ALTER POLICY clinics_tenant ON clinics
    USING (app_all_clinics() OR id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR id = app_clinic_id());

ALTER POLICY users_tenant ON users
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY login_audit_tenant ON login_audit
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY action_audit_tenant ON action_audit
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY specialties_tenant ON specialties
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY surgeries_tenant ON surgeries
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY doctors_tenant ON doctors
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY discharge_blocks_tenant ON discharge_blocks
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY reasons_tenant ON reasons
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY patients_tenant ON patients
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY ticket_counters_tenant ON ticket_counters
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY tickets_tenant ON tickets
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY fpa_modifications_tenant ON fpa_modifications
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());

ALTER POLICY form_submissions_tenant ON form_submissions
    USING (app_all_clinics() OR clinic_id = app_clinic_id())
    WITH CHECK (app_all_clinics() OR clinic_id = app_clinic_id());
