#!/usr/bin/env python3
# A model of the SQLite store's statements for one run (the durable enqueue with its dedupe key,
# a claim that leases then reads, an end with its run log row), in batches as the engine makes
# them (enqueue 32, claim 30, end 30), with the payload in the `runs` row (schema 8) or in a table
# of its own that is written once and never updated. Python's sqlite3 on the same SQLite library
# (3.40), so the figures are CPU per run of the whole script: what they compare is the two
# layouts at each payload size, not the store's own cost. docs/perf/store.md, "The payload in a
# table of its own, with real payload sizes".
#
# usage: python3 benchmarks/model_payload_table.py
import json
import os
import sqlite3
import tempfile
import time
def setup(path, split):
    if os.path.exists(path): os.remove(path)
    for s in ('-wal','-shm'):
        if os.path.exists(path+s): os.remove(path+s)
    c=sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=NORMAL")
    cols = "" if split else "payload TEXT NOT NULL,"
    c.executescript(f"""
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, integration TEXT NOT NULL, workflow TEXT NOT NULL,
 trigger_name TEXT NOT NULL, dedupe_key TEXT NOT NULL, {cols} status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
 due_at INTEGER, lease_token TEXT, worker TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
 created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER, workflow_version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX runs_by_tenant ON runs (tenant);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_dead ON runs (status) WHERE status = 'dead';
CREATE INDEX runs_due_by_tenant ON runs (tenant, due_at) WHERE due_at IS NOT NULL;
CREATE TABLE run_payloads (run_id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE run_log (run_id INTEGER NOT NULL, attempt INTEGER NOT NULL, events TEXT NOT NULL);
CREATE INDEX run_log_by_run ON run_log (run_id);
CREATE TABLE dedupe_keys (tenant TEXT, integration TEXT, trigger_name TEXT, dedupe_key TEXT, run_id INTEGER, seen_at INTEGER, PRIMARY KEY (tenant, integration, trigger_name, dedupe_key)) WITHOUT ROWID;
CREATE INDEX dedupe_keys_by_age ON dedupe_keys (seen_at);
""")
    return c
def run(split, payload_size, n=20000, enq=32, claim=30):
    folder = tempfile.TemporaryDirectory()
    path = os.path.join(folder.name, 'model.db'); c = setup(path, split)
    payload = json.dumps({"id":1,"note":"x"*payload_size})
    events = json.dumps([{"position":i,"block":"b%d"%i,"started_at":1733000000000000000,"finished_at":1733000000000001000,"outcome":"ok","error":""} for i in range(5)])
    now=1; nid=0; t0=time.process_time()
    done=0
    while done < n:
        c.execute("BEGIN IMMEDIATE")
        for i in range(enq):
            nid+=1; now+=1
            k="wh-%d"%nid
            c.execute("SELECT run_id FROM dedupe_keys WHERE tenant=? AND integration=? AND trigger_name=? AND dedupe_key=? AND seen_at > ?",("t","i","orders/create",k,0)).fetchall()
            if split:
                cur=c.execute("INSERT INTO runs (tenant,integration,workflow,trigger_name,dedupe_key,status,due_at,created_at,updated_at) VALUES (?,?,?,?,?,'queued',?,?,?)",("t","i","w","orders/create",k,now,now,now))
                c.execute("INSERT INTO run_payloads (run_id,payload) VALUES (?,?)",(cur.lastrowid,payload))
            else:
                cur=c.execute("INSERT INTO runs (tenant,integration,workflow,trigger_name,dedupe_key,payload,status,due_at,created_at,updated_at) VALUES (?,?,?,?,?,?,'queued',?,?,?)",("t","i","w","orders/create",k,payload,now,now,now))
            c.execute("INSERT INTO dedupe_keys VALUES (?,?,?,?,?,?) ON CONFLICT DO UPDATE SET run_id=excluded.run_id, seen_at=excluded.seen_at",("t","i","orders/create",k,cur.lastrowid,now))
        c.execute("COMMIT")
        # claim
        c.execute("BEGIN IMMEDIATE")
        ids=[r[0] for r in c.execute("SELECT id FROM runs WHERE tenant='t' AND due_at <= ? ORDER BY due_at, id LIMIT ?",(now,claim))]
        js=json.dumps(ids)
        c.execute("UPDATE runs SET status='running', attempts=attempts+1, lease_token=lower(hex(randomblob(16))), due_at=?, worker='engine@host/123/abcdef0123456789', updated_at=? WHERE id IN (SELECT value FROM json_each(?))",(now+30000,now,js))
        if split:
            rows=c.execute("SELECT r.id, r.tenant, r.integration, r.workflow, r.trigger_name, r.dedupe_key, p.payload, r.attempts, r.lease_token, r.created_at FROM runs r JOIN run_payloads p ON p.run_id = r.id WHERE r.id IN (SELECT value FROM json_each(?))",(js,)).fetchall()
        else:
            rows=c.execute("SELECT id, tenant, integration, workflow, trigger_name, dedupe_key, payload, attempts, lease_token, created_at FROM runs WHERE id IN (SELECT value FROM json_each(?))",(js,)).fetchall()
        c.execute("COMMIT")
        # finish
        c.execute("BEGIN IMMEDIATE")
        c.execute("UPDATE runs SET status='succeeded', due_at=NULL, lease_token=NULL, finished_at=?, updated_at=? WHERE id IN (SELECT value FROM json_each(?))",(now,now,js))
        c.executemany("INSERT INTO run_log VALUES (?,?,?)",[(i,1,events) for i in ids])
        c.execute("COMMIT")
        done+=len(ids)
    cpu = time.process_time() - t0
    c.close()
    folder.cleanup()
    return cpu * 1e6 / done
def main():
    rounds = 5
    for size in (60, 1300, 5000):
        ratios = []
        for _ in range(rounds):
            inline, separate = run(False, size), run(True, size)
            ratios.append(separate / inline)
        ratios.sort()
        print(f"payload {size:5d} B: separate table / inline, CPU per run over {rounds} "
              f"alternating rounds: median {ratios[rounds // 2]:.2f} "
              f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})")


if __name__ == "__main__":
    main()
