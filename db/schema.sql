--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app_all_clinics(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_all_clinics() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.all_clinics', true), '') = 'on' $$;


--
-- Name: app_clinic_id(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_clinic_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.clinic_id', true), '')::bigint $$;


--
-- Name: app_enter(bigint, bigint, bigint, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_enter(p_user bigint, p_user_version bigint, p_clinic bigint, p_clinic_version bigint, OUT catalog_version bigint, OUT board_version bigint) RETURNS record
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: audit_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;


--
-- Name: board_bump_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.board_bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: board_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.board_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('board_changed', NEW.id::text);
    RETURN NULL;
END $$;


--
-- Name: catalog_bump_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE clinics SET catalog_version = catalog_version + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.clinic_id ELSE NEW.clinic_id END;
    IF TG_OP = 'UPDATE' AND NEW.clinic_id IS DISTINCT FROM OLD.clinic_id THEN
        UPDATE clinics SET catalog_version = catalog_version + 1 WHERE id = OLD.clinic_id;
    END IF;
    RETURN NULL;
END $$;


--
-- Name: clinics_bump_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.clinics_bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: discharge_blocks_keep_one_active(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.discharge_blocks_keep_one_active() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: fold(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$ SELECT translate(lower($1), 'áéíóúüñàèìòù', 'aeiouunaeiou') $_$;


--
-- Name: tickets_count_states(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tickets_count_states() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_state_counts AS s (clinic_id, status, n)
        SELECT clinic_id, status, count(*) FROM new_rows WHERE status IN ('anulado', 'alta')
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (clinic_id, status) DO UPDATE SET n = s.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Decrements update rows that exist; increments may add a row (a CHECK refuses a
        -- negative row even when the insert would become an update).
        UPDATE ticket_state_counts s SET n = s.n + d.d
        FROM (SELECT clinic_id, status, sum(d) AS d FROM (
                  SELECT clinic_id, status, 1 AS d FROM new_rows
                  UNION ALL
                  SELECT clinic_id, status, -1 FROM old_rows
              ) x WHERE status IN ('anulado', 'alta')
              GROUP BY 1, 2 HAVING sum(d) < 0) d
        WHERE s.clinic_id = d.clinic_id AND s.status = d.status;
        INSERT INTO ticket_state_counts AS s (clinic_id, status, n)
        SELECT clinic_id, status, sum(d) FROM (
            SELECT clinic_id, status, 1 AS d FROM new_rows
            UNION ALL
            SELECT clinic_id, status, -1 FROM old_rows
        ) x WHERE status IN ('anulado', 'alta')
        GROUP BY 1, 2 HAVING sum(d) > 0 ORDER BY 1, 2
        ON CONFLICT (clinic_id, status) DO UPDATE SET n = s.n + excluded.n;
    ELSE
        UPDATE ticket_state_counts s SET n = s.n - o.n
        FROM (SELECT clinic_id, status, count(*) AS n FROM old_rows WHERE status IN ('anulado', 'alta')
              GROUP BY 1, 2) o
        WHERE s.clinic_id = o.clinic_id AND s.status = o.status;
    END IF;
    RETURN NULL;
END $$;


--
-- Name: users_bump_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.users_bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF (NEW.username, NEW.email, NEW.password_hash, NEW.role, NEW.active, NEW.clinic_id)
       IS DISTINCT FROM (OLD.username, OLD.email, OLD.password_hash, OLD.role, OLD.active, OLD.clinic_id) THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;


--
-- Name: users_keep_last_admin(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.users_keep_last_admin() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: action_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.action_audit (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    user_id bigint,
    clinic_id bigint,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id bigint,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    request_id text DEFAULT ''::text NOT NULL,
    CONSTRAINT action_audit_action_check CHECK (((length(action) >= 1) AND (length(action) <= 60))),
    CONSTRAINT action_audit_entity_check CHECK (((length(entity) >= 1) AND (length(entity) <= 60)))
);

ALTER TABLE ONLY public.action_audit FORCE ROW LEVEL SECURITY;


--
-- Name: action_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.action_audit ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.action_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: clinics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.clinics (
    id bigint NOT NULL,
    name text NOT NULL,
    code text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    critical_hours smallint DEFAULT 2 NOT NULL,
    warning_hours smallint DEFAULT 8 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    catalog_version bigint DEFAULT 1 NOT NULL,
    board_version bigint DEFAULT 1 NOT NULL,
    discharge_capacity smallint DEFAULT 4 NOT NULL,
    CONSTRAINT clinics_board_version_check CHECK ((board_version >= 1)),
    CONSTRAINT clinics_catalog_version_check CHECK ((catalog_version >= 1)),
    CONSTRAINT clinics_code_check CHECK ((code ~ '^[A-Z]{2,6}$'::text)),
    CONSTRAINT clinics_discharge_capacity_check CHECK (((discharge_capacity >= 1) AND (discharge_capacity <= 50))),
    CONSTRAINT clinics_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 120))),
    CONSTRAINT clinics_thresholds_check CHECK (((critical_hours > 0) AND (critical_hours < warning_hours) AND (warning_hours <= 72))),
    CONSTRAINT clinics_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.clinics FORCE ROW LEVEL SECURITY;


--
-- Name: clinics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.clinics ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.clinics_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: discharge_blocks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.discharge_blocks (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    start_minute smallint NOT NULL,
    end_minute smallint NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT discharge_blocks_end_minute_check CHECK (((end_minute >= 1) AND (end_minute <= 1440))),
    CONSTRAINT discharge_blocks_range_check CHECK ((start_minute < end_minute)),
    CONSTRAINT discharge_blocks_start_minute_check CHECK (((start_minute >= 0) AND (start_minute <= 1439)))
);

ALTER TABLE ONLY public.discharge_blocks FORCE ROW LEVEL SECURITY;


--
-- Name: discharge_blocks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.discharge_blocks ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.discharge_blocks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: doctors; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.doctors (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    specialty_id bigint,
    rut text,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT doctors_first_name_check CHECK (((length(btrim(first_name)) >= 1) AND (length(btrim(first_name)) <= 100))),
    CONSTRAINT doctors_last_name_check CHECK (((length(btrim(last_name)) >= 1) AND (length(btrim(last_name)) <= 100))),
    CONSTRAINT doctors_rut_check CHECK (((rut IS NULL) OR (rut ~ '^[0-9]{1,8}-[0-9K]$'::text))),
    CONSTRAINT doctors_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.doctors FORCE ROW LEVEL SECURITY;


--
-- Name: doctors_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.doctors ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.doctors_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: form_submissions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.form_submissions (
    clinic_id bigint NOT NULL,
    key text NOT NULL,
    ticket_id bigint NOT NULL,
    action text NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT form_submissions_key_check CHECK (((length(key) >= 16) AND (length(key) <= 64)))
);

ALTER TABLE ONLY public.form_submissions FORCE ROW LEVEL SECURITY;


--
-- Name: fpa_modifications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.fpa_modifications (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    seq smallint NOT NULL,
    previous_fpa_at timestamp with time zone NOT NULL,
    previous_block_start smallint NOT NULL,
    previous_block_end smallint NOT NULL,
    new_fpa_at timestamp with time zone NOT NULL,
    new_block_start smallint NOT NULL,
    new_block_end smallint NOT NULL,
    reason_id bigint NOT NULL,
    justification text NOT NULL,
    direction text NOT NULL,
    extra_nights integer NOT NULL,
    modified_by bigint NOT NULL,
    modified_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT fpa_modifications_changed_check CHECK ((new_fpa_at <> previous_fpa_at)),
    CONSTRAINT fpa_modifications_direction_check CHECK ((direction = ANY (ARRAY['later'::text, 'earlier'::text]))),
    CONSTRAINT fpa_modifications_justification_check CHECK (((length(btrim(justification)) >= 1) AND (length(btrim(justification)) <= 1000))),
    CONSTRAINT fpa_modifications_seq_check CHECK (((seq >= 1) AND (seq <= 5)))
);

ALTER TABLE ONLY public.fpa_modifications FORCE ROW LEVEL SECURITY;


--
-- Name: fpa_modifications_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.fpa_modifications ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.fpa_modifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: login_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_audit (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    user_id bigint,
    clinic_id bigint,
    username text NOT NULL,
    method text NOT NULL,
    success boolean NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    ip text DEFAULT ''::text NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL,
    CONSTRAINT login_audit_method_check CHECK ((method = ANY (ARRAY['password'::text, 'iap'::text])))
);

ALTER TABLE ONLY public.login_audit FORCE ROW LEVEL SECURITY;


--
-- Name: login_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.login_audit ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.login_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: login_throttle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_throttle (
    key text NOT NULL,
    failures integer NOT NULL,
    window_start timestamp with time zone NOT NULL,
    last_failure timestamp with time zone NOT NULL,
    blocked_until timestamp with time zone,
    CONSTRAINT login_throttle_failures_check CHECK ((failures >= 1)),
    CONSTRAINT login_throttle_key_check CHECK (((length(key) >= 3) AND (length(key) <= 400)))
);


--
-- Name: patients; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.patients (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    rut text NOT NULL,
    first_names text NOT NULL,
    last_name_father text NOT NULL,
    last_name_mother text DEFAULT ''::text NOT NULL,
    age smallint,
    sex text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT patients_age_check CHECK (((age >= 0) AND (age <= 130))),
    CONSTRAINT patients_first_names_check CHECK (((length(btrim(first_names)) >= 1) AND (length(btrim(first_names)) <= 100))),
    CONSTRAINT patients_last_name_father_check CHECK (((length(btrim(last_name_father)) >= 1) AND (length(btrim(last_name_father)) <= 100))),
    CONSTRAINT patients_last_name_mother_check CHECK ((length(last_name_mother) <= 100)),
    CONSTRAINT patients_rut_check CHECK ((rut ~ '^[1-9][0-9]{0,7}-[0-9K]$'::text)),
    CONSTRAINT patients_sex_check CHECK ((sex = ANY (ARRAY['M'::text, 'F'::text, 'O'::text])))
);

ALTER TABLE ONLY public.patients FORCE ROW LEVEL SECURITY;


--
-- Name: patients_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.patients ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.patients_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: reasons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reasons (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    category text NOT NULL,
    name text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT reasons_category_check CHECK ((category = ANY (ARRAY['modification'::text, 'annulment'::text]))),
    CONSTRAINT reasons_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT reasons_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.reasons FORCE ROW LEVEL SECURITY;


--
-- Name: reasons_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.reasons ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.reasons_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    k character varying(64) DEFAULT ''::character varying NOT NULL,
    v bytea NOT NULL,
    e bigint DEFAULT 0 NOT NULL
);


--
-- Name: specialties; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.specialties (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT specialties_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT specialties_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.specialties FORCE ROW LEVEL SECURITY;


--
-- Name: specialties_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.specialties ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.specialties_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: superusers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.superusers (
    id bigint NOT NULL,
    email text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT superusers_email_check CHECK ((email ~ '^[^@\s]+@[^@\s]+$'::text))
);


--
-- Name: superusers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.superusers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.superusers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: surgeries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.surgeries (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    specialty_id bigint NOT NULL,
    name text NOT NULL,
    base_stay_hours numeric(6,2) NOT NULL,
    is_ambulatory boolean DEFAULT false NOT NULL,
    ambulatory_cutoff_hour smallint,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT surgeries_ambulatory_cutoff_hour_check CHECK (((ambulatory_cutoff_hour >= 0) AND (ambulatory_cutoff_hour <= 23))),
    CONSTRAINT surgeries_base_stay_hours_check CHECK (((base_stay_hours > (0)::numeric) AND (base_stay_hours <= (2160)::numeric))),
    CONSTRAINT surgeries_cutoff_check CHECK ((is_ambulatory = (ambulatory_cutoff_hour IS NOT NULL))),
    CONSTRAINT surgeries_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 150))),
    CONSTRAINT surgeries_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.surgeries FORCE ROW LEVEL SECURITY;


--
-- Name: surgeries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.surgeries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.surgeries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: ticket_counters; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ticket_counters (
    clinic_id bigint NOT NULL,
    year smallint NOT NULL,
    last_seq integer NOT NULL,
    CONSTRAINT ticket_counters_last_seq_check CHECK ((last_seq >= 1)),
    CONSTRAINT ticket_counters_year_check CHECK (((year >= 2000) AND (year <= 2999)))
);

ALTER TABLE ONLY public.ticket_counters FORCE ROW LEVEL SECURITY;


--
-- Name: ticket_state_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ticket_state_counts (
    clinic_id bigint NOT NULL,
    status text NOT NULL,
    n bigint NOT NULL,
    CONSTRAINT ticket_state_counts_n_check CHECK ((n >= 0)),
    CONSTRAINT ticket_state_counts_status_check CHECK ((status = ANY (ARRAY['anulado'::text, 'alta'::text])))
);

ALTER TABLE ONLY public.ticket_state_counts FORCE ROW LEVEL SECURITY;


--
-- Name: tickets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tickets (
    clinic_id bigint NOT NULL,
    id bigint NOT NULL,
    code text NOT NULL,
    year smallint NOT NULL,
    seq integer NOT NULL,
    patient_id bigint NOT NULL,
    surgery_id bigint NOT NULL,
    doctor_id bigint,
    surgery_name text NOT NULL,
    specialty_name text NOT NULL,
    base_stay_hours numeric(6,2) NOT NULL,
    is_ambulatory boolean NOT NULL,
    ambulatory_cutoff_hour smallint,
    pavilion_end_at timestamp with time zone NOT NULL,
    fpa_at timestamp with time zone NOT NULL,
    fpa_block_start smallint NOT NULL,
    fpa_block_end smallint NOT NULL,
    fpa_end_at timestamp with time zone NOT NULL,
    original_fpa_at timestamp with time zone NOT NULL,
    original_block_start smallint NOT NULL,
    original_block_end smallint NOT NULL,
    status text DEFAULT 'vigente'::text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    modification_count smallint DEFAULT 0 NOT NULL,
    room text DEFAULT ''::text NOT NULL,
    bed text DEFAULT ''::text NOT NULL,
    location text DEFAULT ''::text NOT NULL,
    episode_id text DEFAULT ''::text NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annulled_at timestamp with time zone,
    annulled_by bigint,
    annul_reason_id bigint,
    annul_note text DEFAULT ''::text NOT NULL,
    discharged_at timestamp with time zone,
    discharge_recorded_at timestamp with time zone,
    discharge_recorded_by bigint,
    CONSTRAINT tickets_ambulatory_cutoff_hour_check CHECK (((ambulatory_cutoff_hour >= 0) AND (ambulatory_cutoff_hour <= 23))),
    CONSTRAINT tickets_annul_note_check CHECK ((length(annul_note) <= 1000)),
    CONSTRAINT tickets_annulled_check CHECK (((status = 'anulado'::text) = ((annulled_at IS NOT NULL) AND (annulled_by IS NOT NULL) AND (annul_reason_id IS NOT NULL)))),
    CONSTRAINT tickets_base_stay_hours_check CHECK (((base_stay_hours > (0)::numeric) AND (base_stay_hours <= (2160)::numeric))),
    CONSTRAINT tickets_bed_check CHECK ((length(bed) <= 40)),
    CONSTRAINT tickets_block_check CHECK (((fpa_block_start < fpa_block_end) AND (original_block_start < original_block_end))),
    CONSTRAINT tickets_code_check CHECK ((code ~ '^TH-[A-Z]{2,6}-[0-9]{4}-[0-9]{3,}$'::text)),
    CONSTRAINT tickets_cutoff_check CHECK ((is_ambulatory = (ambulatory_cutoff_hour IS NOT NULL))),
    CONSTRAINT tickets_discharge_after_pavilion_check CHECK (((discharged_at IS NULL) OR (discharged_at > pavilion_end_at))),
    CONSTRAINT tickets_discharged_check CHECK (((status = 'alta'::text) = ((discharged_at IS NOT NULL) AND (discharge_recorded_at IS NOT NULL) AND (discharge_recorded_by IS NOT NULL)))),
    CONSTRAINT tickets_episode_id_check CHECK ((length(episode_id) <= 40)),
    CONSTRAINT tickets_fpa_after_pavilion_check CHECK ((fpa_end_at > pavilion_end_at)),
    CONSTRAINT tickets_fpa_block_end_check CHECK (((fpa_block_end >= 1) AND (fpa_block_end <= 1440))),
    CONSTRAINT tickets_fpa_block_start_check CHECK (((fpa_block_start >= 0) AND (fpa_block_start <= 1439))),
    CONSTRAINT tickets_location_check CHECK ((length(location) <= 40)),
    CONSTRAINT tickets_modification_count_check CHECK (((modification_count >= 0) AND (modification_count <= 5))),
    CONSTRAINT tickets_original_block_end_check CHECK (((original_block_end >= 1) AND (original_block_end <= 1440))),
    CONSTRAINT tickets_original_block_start_check CHECK (((original_block_start >= 0) AND (original_block_start <= 1439))),
    CONSTRAINT tickets_room_check CHECK ((length(room) <= 40)),
    CONSTRAINT tickets_seq_check CHECK ((seq >= 1)),
    CONSTRAINT tickets_status_check CHECK ((status = ANY (ARRAY['vigente'::text, 'anulado'::text, 'alta'::text]))),
    CONSTRAINT tickets_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.tickets FORCE ROW LEVEL SECURITY;


--
-- Name: tickets_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.tickets ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.tickets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    clinic_id bigint,
    username text NOT NULL,
    email text,
    password_hash text,
    role text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    board_view text DEFAULT ''::text NOT NULL,
    board_ward text DEFAULT ''::text NOT NULL,
    CONSTRAINT users_board_view_check CHECK ((board_view = ANY (ARRAY[''::text, 'tarjetas'::text, 'tabla'::text]))),
    CONSTRAINT users_board_ward_check CHECK ((char_length(board_ward) <= 40)),
    CONSTRAINT users_email_check CHECK (((email IS NULL) OR (email ~ '^[^@\s]+@[^@\s]+$'::text))),
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['superuser'::text, 'admin'::text, 'clinical'::text, 'visualizador'::text]))),
    CONSTRAINT users_superuser_global_check CHECK (((role = 'superuser'::text) = (clinic_id IS NULL))),
    CONSTRAINT users_username_check CHECK ((username ~ '^[a-z0-9._-]{3,40}$'::text)),
    CONSTRAINT users_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: action_audit action_audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_audit
    ADD CONSTRAINT action_audit_pkey PRIMARY KEY (id);


--
-- Name: clinics clinics_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clinics
    ADD CONSTRAINT clinics_code_key UNIQUE (code);


--
-- Name: clinics clinics_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clinics
    ADD CONSTRAINT clinics_name_key UNIQUE (name);


--
-- Name: clinics clinics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clinics
    ADD CONSTRAINT clinics_pkey PRIMARY KEY (id);


--
-- Name: discharge_blocks discharge_blocks_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.discharge_blocks
    ADD CONSTRAINT discharge_blocks_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: discharge_blocks discharge_blocks_clinic_id_start_minute_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.discharge_blocks
    ADD CONSTRAINT discharge_blocks_clinic_id_start_minute_key UNIQUE (clinic_id, start_minute);


--
-- Name: discharge_blocks discharge_blocks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.discharge_blocks
    ADD CONSTRAINT discharge_blocks_pkey PRIMARY KEY (id);


--
-- Name: doctors doctors_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doctors
    ADD CONSTRAINT doctors_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: doctors doctors_clinic_id_rut_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doctors
    ADD CONSTRAINT doctors_clinic_id_rut_key UNIQUE (clinic_id, rut);


--
-- Name: doctors doctors_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doctors
    ADD CONSTRAINT doctors_pkey PRIMARY KEY (id);


--
-- Name: form_submissions form_submissions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.form_submissions
    ADD CONSTRAINT form_submissions_pkey PRIMARY KEY (clinic_id, key);


--
-- Name: fpa_modifications fpa_modifications_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fpa_modifications
    ADD CONSTRAINT fpa_modifications_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: fpa_modifications fpa_modifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fpa_modifications
    ADD CONSTRAINT fpa_modifications_pkey PRIMARY KEY (id);


--
-- Name: fpa_modifications fpa_modifications_ticket_id_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fpa_modifications
    ADD CONSTRAINT fpa_modifications_ticket_id_seq_key UNIQUE (ticket_id, seq);


--
-- Name: login_audit login_audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_audit
    ADD CONSTRAINT login_audit_pkey PRIMARY KEY (id);


--
-- Name: login_throttle login_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (key);


--
-- Name: patients patients_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: patients patients_clinic_id_rut_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_clinic_id_rut_key UNIQUE (clinic_id, rut);


--
-- Name: patients patients_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_pkey PRIMARY KEY (id);


--
-- Name: reasons reasons_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reasons
    ADD CONSTRAINT reasons_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: reasons reasons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reasons
    ADD CONSTRAINT reasons_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (k);


--
-- Name: specialties specialties_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specialties
    ADD CONSTRAINT specialties_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: specialties specialties_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specialties
    ADD CONSTRAINT specialties_pkey PRIMARY KEY (id);


--
-- Name: superusers superusers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.superusers
    ADD CONSTRAINT superusers_pkey PRIMARY KEY (id);


--
-- Name: surgeries surgeries_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.surgeries
    ADD CONSTRAINT surgeries_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: surgeries surgeries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.surgeries
    ADD CONSTRAINT surgeries_pkey PRIMARY KEY (id);


--
-- Name: ticket_counters ticket_counters_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_counters
    ADD CONSTRAINT ticket_counters_pkey PRIMARY KEY (clinic_id, year);


--
-- Name: ticket_state_counts ticket_state_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_state_counts
    ADD CONSTRAINT ticket_state_counts_pkey PRIMARY KEY (clinic_id, status);


--
-- Name: tickets tickets_clinic_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_clinic_id_id_key UNIQUE (clinic_id, id);


--
-- Name: tickets tickets_clinic_id_year_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_clinic_id_year_seq_key UNIQUE (clinic_id, year, seq);


--
-- Name: tickets tickets_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_code_key UNIQUE (code);


--
-- Name: tickets tickets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: action_audit_clinic_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_audit_clinic_at_idx ON public.action_audit USING btree (clinic_id, at DESC);


--
-- Name: action_audit_entity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_audit_entity_idx ON public.action_audit USING btree (entity, entity_id);


--
-- Name: doctors_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX doctors_name_key ON public.doctors USING btree (clinic_id, public.fold(((first_name || ' '::text) || last_name)));


--
-- Name: fpa_modifications_ticket_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX fpa_modifications_ticket_idx ON public.fpa_modifications USING btree (clinic_id, ticket_id, seq);


--
-- Name: login_audit_clinic_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_audit_clinic_at_idx ON public.login_audit USING btree (clinic_id, at DESC);


--
-- Name: login_audit_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_audit_user_idx ON public.login_audit USING btree (user_id);


--
-- Name: login_throttle_last_failure_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_throttle_last_failure_idx ON public.login_throttle USING btree (last_failure);


--
-- Name: reasons_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX reasons_name_key ON public.reasons USING btree (clinic_id, category, public.fold(name));


--
-- Name: sessions_e_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_e_idx ON public.sessions USING btree (e);


--
-- Name: specialties_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX specialties_name_key ON public.specialties USING btree (clinic_id, public.fold(name));


--
-- Name: superusers_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX superusers_email_key ON public.superusers USING btree (lower(email));


--
-- Name: surgeries_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX surgeries_name_key ON public.surgeries USING btree (clinic_id, public.fold(name));


--
-- Name: tickets_active_fpa_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_active_fpa_idx ON public.tickets USING btree (clinic_id, fpa_at) WHERE (status = 'vigente'::text);


--
-- Name: tickets_clinic_status_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_clinic_status_created_idx ON public.tickets USING btree (clinic_id, status, created_at DESC);


--
-- Name: tickets_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_created_idx ON public.tickets USING btree (clinic_id, created_at);


--
-- Name: tickets_discharged_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_discharged_idx ON public.tickets USING btree (clinic_id, discharged_at) WHERE (status = 'alta'::text);


--
-- Name: tickets_one_vigente_per_patient; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX tickets_one_vigente_per_patient ON public.tickets USING btree (clinic_id, patient_id) WHERE (status = 'vigente'::text);


--
-- Name: tickets_patient_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_patient_idx ON public.tickets USING btree (clinic_id, patient_id);


--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));


--
-- Name: users_username_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_username_key ON public.users USING btree (lower(username));


--
-- Name: action_audit action_audit_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER action_audit_append_only BEFORE DELETE OR UPDATE ON public.action_audit FOR EACH ROW EXECUTE FUNCTION public.audit_append_only();


--
-- Name: action_audit action_audit_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER action_audit_no_truncate BEFORE TRUNCATE ON public.action_audit FOR EACH STATEMENT EXECUTE FUNCTION public.audit_append_only();


--
-- Name: clinics clinics_board_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER clinics_board_changed AFTER UPDATE ON public.clinics FOR EACH ROW WHEN (((old.board_version IS DISTINCT FROM new.board_version) OR (old.catalog_version IS DISTINCT FROM new.catalog_version))) EXECUTE FUNCTION public.board_notify();


--
-- Name: clinics clinics_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER clinics_version BEFORE UPDATE ON public.clinics FOR EACH ROW EXECUTE FUNCTION public.clinics_bump_version();


--
-- Name: discharge_blocks discharge_blocks_catalog_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER discharge_blocks_catalog_version AFTER INSERT OR DELETE OR UPDATE ON public.discharge_blocks FOR EACH ROW EXECUTE FUNCTION public.catalog_bump_version();


--
-- Name: discharge_blocks discharge_blocks_keep_one_active; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER discharge_blocks_keep_one_active BEFORE UPDATE OF active ON public.discharge_blocks FOR EACH ROW EXECUTE FUNCTION public.discharge_blocks_keep_one_active();


--
-- Name: doctors doctors_catalog_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER doctors_catalog_version AFTER INSERT OR DELETE OR UPDATE ON public.doctors FOR EACH ROW EXECUTE FUNCTION public.catalog_bump_version();


--
-- Name: login_audit login_audit_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER login_audit_append_only BEFORE DELETE OR UPDATE ON public.login_audit FOR EACH ROW EXECUTE FUNCTION public.audit_append_only();


--
-- Name: login_audit login_audit_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER login_audit_no_truncate BEFORE TRUNCATE ON public.login_audit FOR EACH STATEMENT EXECUTE FUNCTION public.audit_append_only();


--
-- Name: patients patients_board_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER patients_board_updated AFTER UPDATE ON public.patients REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.board_bump_version();


--
-- Name: reasons reasons_catalog_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER reasons_catalog_version AFTER INSERT OR DELETE OR UPDATE ON public.reasons FOR EACH ROW EXECUTE FUNCTION public.catalog_bump_version();


--
-- Name: specialties specialties_catalog_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER specialties_catalog_version AFTER INSERT OR DELETE OR UPDATE ON public.specialties FOR EACH ROW EXECUTE FUNCTION public.catalog_bump_version();


--
-- Name: surgeries surgeries_catalog_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER surgeries_catalog_version AFTER INSERT OR DELETE OR UPDATE ON public.surgeries FOR EACH ROW EXECUTE FUNCTION public.catalog_bump_version();


--
-- Name: tickets tickets_board_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_board_deleted AFTER DELETE ON public.tickets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.board_bump_version();


--
-- Name: tickets tickets_board_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_board_inserted AFTER INSERT ON public.tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.board_bump_version();


--
-- Name: tickets tickets_board_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_board_updated AFTER UPDATE ON public.tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.board_bump_version();


--
-- Name: tickets tickets_count_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_count_deleted AFTER DELETE ON public.tickets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.tickets_count_states();


--
-- Name: tickets tickets_count_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_count_inserted AFTER INSERT ON public.tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.tickets_count_states();


--
-- Name: tickets tickets_count_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_count_updated AFTER UPDATE ON public.tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.tickets_count_states();


--
-- Name: users users_keep_last_admin; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_keep_last_admin BEFORE UPDATE OF active, role ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_keep_last_admin();


--
-- Name: users users_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_version BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_bump_version();


--
-- Name: action_audit action_audit_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_audit
    ADD CONSTRAINT action_audit_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: action_audit action_audit_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_audit
    ADD CONSTRAINT action_audit_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: discharge_blocks discharge_blocks_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.discharge_blocks
    ADD CONSTRAINT discharge_blocks_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: doctors doctors_clinic_id_specialty_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doctors
    ADD CONSTRAINT doctors_clinic_id_specialty_id_fkey FOREIGN KEY (clinic_id, specialty_id) REFERENCES public.specialties(clinic_id, id);


--
-- Name: form_submissions form_submissions_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.form_submissions
    ADD CONSTRAINT form_submissions_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: form_submissions form_submissions_clinic_id_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.form_submissions
    ADD CONSTRAINT form_submissions_clinic_id_ticket_id_fkey FOREIGN KEY (clinic_id, ticket_id) REFERENCES public.tickets(clinic_id, id);


--
-- Name: form_submissions form_submissions_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.form_submissions
    ADD CONSTRAINT form_submissions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);


--
-- Name: fpa_modifications fpa_modifications_clinic_id_reason_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fpa_modifications
    ADD CONSTRAINT fpa_modifications_clinic_id_reason_id_fkey FOREIGN KEY (clinic_id, reason_id) REFERENCES public.reasons(clinic_id, id);


--
-- Name: fpa_modifications fpa_modifications_clinic_id_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fpa_modifications
    ADD CONSTRAINT fpa_modifications_clinic_id_ticket_id_fkey FOREIGN KEY (clinic_id, ticket_id) REFERENCES public.tickets(clinic_id, id);


--
-- Name: fpa_modifications fpa_modifications_modified_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fpa_modifications
    ADD CONSTRAINT fpa_modifications_modified_by_fkey FOREIGN KEY (modified_by) REFERENCES public.users(id);


--
-- Name: login_audit login_audit_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_audit
    ADD CONSTRAINT login_audit_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: login_audit login_audit_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_audit
    ADD CONSTRAINT login_audit_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: patients patients_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT patients_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: reasons reasons_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reasons
    ADD CONSTRAINT reasons_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: specialties specialties_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specialties
    ADD CONSTRAINT specialties_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: surgeries surgeries_clinic_id_specialty_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.surgeries
    ADD CONSTRAINT surgeries_clinic_id_specialty_id_fkey FOREIGN KEY (clinic_id, specialty_id) REFERENCES public.specialties(clinic_id, id);


--
-- Name: ticket_counters ticket_counters_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_counters
    ADD CONSTRAINT ticket_counters_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: ticket_state_counts ticket_state_counts_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_state_counts
    ADD CONSTRAINT ticket_state_counts_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: tickets tickets_annul_reason_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_annul_reason_fkey FOREIGN KEY (clinic_id, annul_reason_id) REFERENCES public.reasons(clinic_id, id);


--
-- Name: tickets tickets_annulled_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_annulled_by_fkey FOREIGN KEY (annulled_by) REFERENCES public.users(id);


--
-- Name: tickets tickets_clinic_id_doctor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_clinic_id_doctor_id_fkey FOREIGN KEY (clinic_id, doctor_id) REFERENCES public.doctors(clinic_id, id);


--
-- Name: tickets tickets_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: tickets tickets_clinic_id_patient_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_clinic_id_patient_id_fkey FOREIGN KEY (clinic_id, patient_id) REFERENCES public.patients(clinic_id, id);


--
-- Name: tickets tickets_clinic_id_surgery_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_clinic_id_surgery_id_fkey FOREIGN KEY (clinic_id, surgery_id) REFERENCES public.surgeries(clinic_id, id);


--
-- Name: tickets tickets_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);


--
-- Name: tickets tickets_discharge_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_discharge_recorded_by_fkey FOREIGN KEY (discharge_recorded_by) REFERENCES public.users(id);


--
-- Name: users users_clinic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics(id);


--
-- Name: action_audit; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.action_audit ENABLE ROW LEVEL SECURITY;

--
-- Name: action_audit action_audit_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY action_audit_tenant ON public.action_audit USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: clinics; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.clinics ENABLE ROW LEVEL SECURITY;

--
-- Name: clinics clinics_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY clinics_tenant ON public.clinics USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: discharge_blocks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.discharge_blocks ENABLE ROW LEVEL SECURITY;

--
-- Name: discharge_blocks discharge_blocks_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY discharge_blocks_tenant ON public.discharge_blocks USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: doctors; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.doctors ENABLE ROW LEVEL SECURITY;

--
-- Name: doctors doctors_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY doctors_tenant ON public.doctors USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: form_submissions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.form_submissions ENABLE ROW LEVEL SECURITY;

--
-- Name: form_submissions form_submissions_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY form_submissions_tenant ON public.form_submissions USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: fpa_modifications; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.fpa_modifications ENABLE ROW LEVEL SECURITY;

--
-- Name: fpa_modifications fpa_modifications_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY fpa_modifications_tenant ON public.fpa_modifications USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: login_audit; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.login_audit ENABLE ROW LEVEL SECURITY;

--
-- Name: login_audit login_audit_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY login_audit_tenant ON public.login_audit USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: patients; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.patients ENABLE ROW LEVEL SECURITY;

--
-- Name: patients patients_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY patients_tenant ON public.patients USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: reasons; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.reasons ENABLE ROW LEVEL SECURITY;

--
-- Name: reasons reasons_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY reasons_tenant ON public.reasons USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: specialties; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.specialties ENABLE ROW LEVEL SECURITY;

--
-- Name: specialties specialties_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY specialties_tenant ON public.specialties USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: surgeries; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.surgeries ENABLE ROW LEVEL SECURITY;

--
-- Name: surgeries surgeries_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY surgeries_tenant ON public.surgeries USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: ticket_counters; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.ticket_counters ENABLE ROW LEVEL SECURITY;

--
-- Name: ticket_counters ticket_counters_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY ticket_counters_tenant ON public.ticket_counters USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: ticket_state_counts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.ticket_state_counts ENABLE ROW LEVEL SECURITY;

--
-- Name: ticket_state_counts ticket_state_counts_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY ticket_state_counts_tenant ON public.ticket_state_counts USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: tickets; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.tickets ENABLE ROW LEVEL SECURITY;

--
-- Name: tickets tickets_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tickets_tenant ON public.tickets USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- Name: users; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users users_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_tenant ON public.users USING ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id)))) WITH CHECK ((( SELECT public.app_all_clinics() AS app_all_clinics) OR (clinic_id = ( SELECT public.app_clinic_id() AS app_clinic_id))));


--
-- PostgreSQL database dump complete
--


