--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

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
-- Name: syncline_fixture; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA syncline_fixture;


--
-- Name: apply_run_count_delta(jsonb); Type: FUNCTION; Schema: syncline_fixture; Owner: -
--

CREATE FUNCTION syncline_fixture.apply_run_count_delta(delta jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'syncline_fixture'
    AS $$
BEGIN
  PERFORM 1 FROM run_counts WHERE delta ? status ORDER BY status FOR UPDATE;
  UPDATE run_counts SET n = n + (delta ->> status)::bigint WHERE delta ? status;
END $$;


--
-- Name: runs_count_delete(); Type: FUNCTION; Schema: syncline_fixture; Owner: -
--

CREATE FUNCTION syncline_fixture.runs_count_delete() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'syncline_fixture'
    AS $$
BEGIN
  PERFORM apply_run_count_delta(coalesce((SELECT jsonb_object_agg(status, -k) FROM
    (SELECT status, count(*) AS k FROM old_rows GROUP BY status) d), '{}'));
  RETURN NULL;
END $$;


--
-- Name: runs_count_insert(); Type: FUNCTION; Schema: syncline_fixture; Owner: -
--

CREATE FUNCTION syncline_fixture.runs_count_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'syncline_fixture'
    AS $$
BEGIN
  PERFORM apply_run_count_delta(coalesce((SELECT jsonb_object_agg(status, k) FROM
    (SELECT status, count(*) AS k FROM new_rows GROUP BY status) d), '{}'));
  RETURN NULL;
END $$;


--
-- Name: runs_count_update(); Type: FUNCTION; Schema: syncline_fixture; Owner: -
--

CREATE FUNCTION syncline_fixture.runs_count_update() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'syncline_fixture'
    AS $$
BEGIN
  PERFORM apply_run_count_delta(coalesce((SELECT jsonb_object_agg(status, k) FROM
    (SELECT status, sum(k) AS k FROM
      (SELECT status, 1 AS k FROM new_rows UNION ALL SELECT status, -1 FROM old_rows) x
     GROUP BY status HAVING sum(k) <> 0) d), '{}'));
  RETURN NULL;
END $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: block_events; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.block_events (
    seq bigint NOT NULL,
    run_id bigint NOT NULL,
    attempt integer NOT NULL,
    "position" integer NOT NULL,
    block text NOT NULL,
    started_at bigint NOT NULL,
    finished_at bigint NOT NULL,
    outcome text NOT NULL,
    error text NOT NULL
);


--
-- Name: block_events_seq_seq; Type: SEQUENCE; Schema: syncline_fixture; Owner: -
--

ALTER TABLE syncline_fixture.block_events ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME syncline_fixture.block_events_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: cursors; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.cursors (
    tenant text NOT NULL,
    integration text NOT NULL,
    trigger_name text NOT NULL,
    value text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: dedupe_keys; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.dedupe_keys (
    tenant text NOT NULL,
    integration text NOT NULL,
    trigger_name text NOT NULL,
    dedupe_key text NOT NULL,
    run_id bigint NOT NULL,
    seen_at bigint NOT NULL
);


--
-- Name: echoes; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.echoes (
    tenant text NOT NULL,
    integration text NOT NULL,
    record_id text NOT NULL,
    fingerprint text NOT NULL,
    written_at bigint NOT NULL
);


--
-- Name: erasures; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.erasures (
    id bigint NOT NULL,
    tenant text NOT NULL,
    kind text NOT NULL,
    request text NOT NULL,
    runs bigint NOT NULL,
    block_events bigint NOT NULL,
    dedupe_keys bigint NOT NULL,
    echo_records bigint NOT NULL,
    cursors bigint NOT NULL,
    at bigint NOT NULL
);


--
-- Name: erasures_id_seq; Type: SEQUENCE; Schema: syncline_fixture; Owner: -
--

ALTER TABLE syncline_fixture.erasures ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME syncline_fixture.erasures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: install_states; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.install_states (
    state text NOT NULL,
    integration text NOT NULL,
    shop text NOT NULL,
    expires_at bigint NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: meta; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.meta (
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: rate_buckets; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.rate_buckets (
    name text NOT NULL,
    level double precision NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: run_counts; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.run_counts (
    status text NOT NULL,
    n bigint NOT NULL
);


--
-- Name: runs; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.runs (
    id bigint NOT NULL,
    tenant text NOT NULL,
    integration text NOT NULL,
    workflow text NOT NULL,
    trigger_name text NOT NULL,
    dedupe_key text NOT NULL,
    payload bytea NOT NULL,
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    due_at bigint,
    lease_token text,
    worker text DEFAULT ''::text NOT NULL,
    last_error text DEFAULT ''::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    finished_at bigint,
    workflow_version integer DEFAULT 1 NOT NULL,
    CONSTRAINT runs_check CHECK (((due_at IS NULL) = (status = ANY (ARRAY['succeeded'::text, 'skipped'::text, 'dead'::text])))),
    CONSTRAINT runs_check1 CHECK (((lease_token IS NOT NULL) = (status = 'running'::text))),
    CONSTRAINT runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'skipped'::text, 'retry_wait'::text, 'dead'::text]))),
    CONSTRAINT runs_workflow_version_check CHECK ((workflow_version >= 1))
);


--
-- Name: runs_id_seq; Type: SEQUENCE; Schema: syncline_fixture; Owner: -
--

ALTER TABLE syncline_fixture.runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME syncline_fixture.runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_version; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.schema_version (
    version integer NOT NULL
);


--
-- Name: tenants; Type: TABLE; Schema: syncline_fixture; Owner: -
--

CREATE TABLE syncline_fixture.tenants (
    integration text NOT NULL,
    id text NOT NULL,
    credentials text NOT NULL,
    settings text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    revision bigint DEFAULT 1 NOT NULL,
    CONSTRAINT tenants_revision_check CHECK ((revision >= 1))
);


--
-- Data for Name: block_events; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.block_events OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 0, 'skip_echoes', 0, 0, 'ok', '');
INSERT INTO syncline_fixture.block_events OVERRIDING SYSTEM VALUE VALUES (2, 1, 1, 1, 'to_app', 0, 0, 'ok', '');
INSERT INTO syncline_fixture.block_events OVERRIDING SYSTEM VALUE VALUES (3, 2, 1, 1, 'to_app', 0, 0, 'error', 'http: 500 from the app');


--
-- Data for Name: cursors; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.cursors VALUES ('shop-a.myshopify.com', 'shopify_sync', 'orders_poll', 'cursor-7', 1796574932949985187);


--
-- Data for Name: dedupe_keys; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.dedupe_keys VALUES ('shop-a.myshopify.com', 'shopify_sync', 'orders/create', 'wh-0', 1, 1796574932945851874);
INSERT INTO syncline_fixture.dedupe_keys VALUES ('shop-a.myshopify.com', 'shopify_sync', 'orders/create', 'wh-2', 3, 1796574932945851874);
INSERT INTO syncline_fixture.dedupe_keys VALUES ('shop-a.myshopify.com', 'shopify_sync', 'orders/create', 'wh-4', 5, 1796574932945851874);
INSERT INTO syncline_fixture.dedupe_keys VALUES ('shop-b.myshopify.com', 'shopify_sync', 'orders/create', 'wh-1', 2, 1796574932945851874);
INSERT INTO syncline_fixture.dedupe_keys VALUES ('shop-b.myshopify.com', 'shopify_sync', 'orders/create', 'wh-3', 4, 1796574932945851874);


--
-- Data for Name: echoes; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.echoes VALUES ('shop-a.myshopify.com', 'shopify_sync', 'gid://shopify/Order/1000', 'fp1', 1796574932953202020);


--
-- Data for Name: erasures; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--



--
-- Data for Name: install_states; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--



--
-- Data for Name: meta; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.meta VALUES ('store_id', '4624dc13b4ff965d');


--
-- Data for Name: rate_buckets; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.rate_buckets VALUES ('shopify/fixture-shop.myshopify.com/rest', 12.5, 1700000000000000000);


--
-- Data for Name: run_counts; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.run_counts VALUES ('running', 0);
INSERT INTO syncline_fixture.run_counts VALUES ('skipped', 0);
INSERT INTO syncline_fixture.run_counts VALUES ('succeeded', 1);
INSERT INTO syncline_fixture.run_counts VALUES ('dead', 1);
INSERT INTO syncline_fixture.run_counts VALUES ('retry_wait', 1);
INSERT INTO syncline_fixture.run_counts VALUES ('queued', 2);


--
-- Data for Name: runs; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.runs OVERRIDING SYSTEM VALUE VALUES (1, 'shop-a.myshopify.com', 'shopify_sync', 'orders_to_app', 'orders/create', 'wh-0', '\x7b226964223a313030307d', 'succeeded', 1, NULL, NULL, 'fixture@vm/27744/420b4df6d88f4188', '', 1796574932945851874, 1796574932949604617, 1796574932949604617, 1);
INSERT INTO syncline_fixture.runs OVERRIDING SYSTEM VALUE VALUES (2, 'shop-b.myshopify.com', 'shopify_sync', 'orders_to_app', 'orders/create', 'wh-1', '\x7b226964223a313030317d', 'dead', 1, NULL, NULL, 'fixture@vm/27744/420b4df6d88f4188', 'http: 500 from the app', 1796574932945851874, 1796574932949731123, 1796574932949731123, 1);
INSERT INTO syncline_fixture.runs OVERRIDING SYSTEM VALUE VALUES (3, 'shop-a.myshopify.com', 'shopify_sync', 'orders_to_app', 'orders/create', 'wh-2', '\x7b226964223a313030327d', 'retry_wait', 1, 1796578532949782028, NULL, 'fixture@vm/27744/420b4df6d88f4188', 'timeout', 1796574932945851874, 1796574932949788169, NULL, 1);
INSERT INTO syncline_fixture.runs OVERRIDING SYSTEM VALUE VALUES (4, 'shop-b.myshopify.com', 'shopify_sync', 'orders_to_app', 'orders/create', 'wh-3', '\x7b226964223a313030337d', 'queued', 0, 1796574932945851874, NULL, '', '', 1796574932945851874, 1796574932945851874, NULL, 1);
INSERT INTO syncline_fixture.runs OVERRIDING SYSTEM VALUE VALUES (5, 'shop-a.myshopify.com', 'shopify_sync', 'events_to_shop', 'orders/create', 'wh-4', '\x7b226964223a313030347d', 'queued', 0, 1796574932945851874, NULL, '', '', 1796574932945851874, 1796574932945851874, NULL, 1);


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.schema_version VALUES (4);


--
-- Data for Name: tenants; Type: TABLE DATA; Schema: syncline_fixture; Owner: -
--

INSERT INTO syncline_fixture.tenants VALUES ('shopify_sync', 'shop-a.myshopify.com', '', '{"currency":"EUR"}', 1796574932957207545, 1796574932957207545, 1);


--
-- Name: block_events_seq_seq; Type: SEQUENCE SET; Schema: syncline_fixture; Owner: -
--

SELECT pg_catalog.setval('syncline_fixture.block_events_seq_seq', 3, true);


--
-- Name: erasures_id_seq; Type: SEQUENCE SET; Schema: syncline_fixture; Owner: -
--

SELECT pg_catalog.setval('syncline_fixture.erasures_id_seq', 1, false);


--
-- Name: runs_id_seq; Type: SEQUENCE SET; Schema: syncline_fixture; Owner: -
--

SELECT pg_catalog.setval('syncline_fixture.runs_id_seq', 5, true);


--
-- Name: block_events block_events_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.block_events
    ADD CONSTRAINT block_events_pkey PRIMARY KEY (seq);


--
-- Name: cursors cursors_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.cursors
    ADD CONSTRAINT cursors_pkey PRIMARY KEY (tenant, integration, trigger_name);


--
-- Name: dedupe_keys dedupe_keys_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.dedupe_keys
    ADD CONSTRAINT dedupe_keys_pkey PRIMARY KEY (tenant, integration, trigger_name, dedupe_key);


--
-- Name: echoes echoes_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.echoes
    ADD CONSTRAINT echoes_pkey PRIMARY KEY (tenant, integration, record_id, fingerprint);


--
-- Name: erasures erasures_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.erasures
    ADD CONSTRAINT erasures_pkey PRIMARY KEY (id);


--
-- Name: install_states install_states_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.install_states
    ADD CONSTRAINT install_states_pkey PRIMARY KEY (state);


--
-- Name: meta meta_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.meta
    ADD CONSTRAINT meta_pkey PRIMARY KEY (key);


--
-- Name: rate_buckets rate_buckets_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.rate_buckets
    ADD CONSTRAINT rate_buckets_pkey PRIMARY KEY (name);


--
-- Name: run_counts run_counts_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.run_counts
    ADD CONSTRAINT run_counts_pkey PRIMARY KEY (status);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: syncline_fixture; Owner: -
--

ALTER TABLE ONLY syncline_fixture.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (integration, id);


--
-- Name: block_events_by_run; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX block_events_by_run ON syncline_fixture.block_events USING btree (run_id, seq);


--
-- Name: dedupe_keys_by_age; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX dedupe_keys_by_age ON syncline_fixture.dedupe_keys USING btree (seen_at);


--
-- Name: echoes_by_age; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX echoes_by_age ON syncline_fixture.echoes USING btree (written_at);


--
-- Name: erasures_by_tenant; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX erasures_by_tenant ON syncline_fixture.erasures USING btree (tenant, id);


--
-- Name: install_states_by_expiry; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX install_states_by_expiry ON syncline_fixture.install_states USING btree (expires_at);


--
-- Name: runs_by_created; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX runs_by_created ON syncline_fixture.runs USING btree (created_at);


--
-- Name: runs_by_tenant; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX runs_by_tenant ON syncline_fixture.runs USING btree (tenant, id);


--
-- Name: runs_dead; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX runs_dead ON syncline_fixture.runs USING btree (id) WHERE (status = 'dead'::text);


--
-- Name: runs_due; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX runs_due ON syncline_fixture.runs USING btree (due_at) WHERE (due_at IS NOT NULL);


--
-- Name: runs_due_by_tenant; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX runs_due_by_tenant ON syncline_fixture.runs USING btree (tenant, due_at, id) WHERE (due_at IS NOT NULL);


--
-- Name: runs_finished; Type: INDEX; Schema: syncline_fixture; Owner: -
--

CREATE INDEX runs_finished ON syncline_fixture.runs USING btree (finished_at, id) WHERE (finished_at IS NOT NULL);


--
-- Name: runs runs_count_delete; Type: TRIGGER; Schema: syncline_fixture; Owner: -
--

CREATE TRIGGER runs_count_delete AFTER DELETE ON syncline_fixture.runs REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION syncline_fixture.runs_count_delete();


--
-- Name: runs runs_count_insert; Type: TRIGGER; Schema: syncline_fixture; Owner: -
--

CREATE TRIGGER runs_count_insert AFTER INSERT ON syncline_fixture.runs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION syncline_fixture.runs_count_insert();


--
-- Name: runs runs_count_update; Type: TRIGGER; Schema: syncline_fixture; Owner: -
--

CREATE TRIGGER runs_count_update AFTER UPDATE ON syncline_fixture.runs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION syncline_fixture.runs_count_update();


--
-- PostgreSQL database dump complete
--


