-- Goods clearance: declarations (versioned), slots and bookings, passes and node keys,
-- checkpoint events with the vehicle-state projection, the hash-chained yard queue and
-- per-vehicle clearance facts for metrics. Mirror of ../sqlite/0002_clearance.sql.

CREATE TABLE declarations (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    created_by      TEXT NOT NULL REFERENCES users(id),
    pair_id         TEXT NOT NULL REFERENCES gate_pairs(id),
    gate_id         TEXT NOT NULL REFERENCES gates(id),     -- this node's gate of the pair
    direction       TEXT NOT NULL,                          -- export | import
    status          TEXT NOT NULL,                          -- draft … cleared | refused | cancelled
    version         BIGINT NOT NULL,                       -- latest version number
    plate           TEXT NOT NULL,                          -- of the latest version (for lookups)
    perishable      BIGINT NOT NULL,
    lane            TEXT,
    checks          TEXT,                                   -- comma list
    assessment      TEXT,                                   -- JSON: lane, checks, rules fired
    idempotency_key TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (company_id, idempotency_key)
);
CREATE INDEX declarations_gate_status ON declarations(gate_id, status);

CREATE TABLE declaration_versions (
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    version        BIGINT NOT NULL,
    body           TEXT NOT NULL,                           -- JSON: lines, vehicle, driver, arrival
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (declaration_id, version)
);

CREATE TABLE declaration_status_history (
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    seq            BIGINT NOT NULL,
    status         TEXT NOT NULL,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    note           TEXT,
    PRIMARY KEY (declaration_id, seq)
);

-- Slots: one row per gate, direction, lane kind and 30-minute window, created on demand.
CREATE TABLE slots (
    id                  TEXT PRIMARY KEY,                   -- gate|direction|lane_kind|start
    gate_id             TEXT NOT NULL REFERENCES gates(id),
    direction           TEXT NOT NULL,
    lane_kind           TEXT NOT NULL,
    start_s             BIGINT NOT NULL,                   -- unix seconds UTC
    end_s               BIGINT NOT NULL,
    capacity            BIGINT NOT NULL,
    reserved_perishable BIGINT NOT NULL,                   -- places only perishables may take
    booked_total        BIGINT NOT NULL DEFAULT 0,
    booked_general      BIGINT NOT NULL DEFAULT 0          -- bookings of non-perishables
);
CREATE INDEX slots_gate_start ON slots(gate_id, start_s);

CREATE TABLE bookings (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    slot_id        TEXT NOT NULL REFERENCES slots(id),
    company_id     TEXT NOT NULL REFERENCES companies(id),
    plate          TEXT NOT NULL,                           -- the pass is bound to these three
    driver_doc     TEXT NOT NULL,
    perishable     BIGINT NOT NULL,
    status         TEXT NOT NULL,                           -- active | released | no_show | arrived
    moves          BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX bookings_one_active ON bookings(declaration_id) WHERE status = 'active';
CREATE INDEX bookings_company_created ON bookings(company_id, created_at);

-- The node's signing keys (ed25519). Retired keys stay for verifying older passes.
CREATE TABLE node_keys (
    kid        TEXT PRIMARY KEY,
    public_hex TEXT NOT NULL,
    secret_hex TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE passes (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    booking_id     TEXT NOT NULL REFERENCES bookings(id),
    token          TEXT NOT NULL,
    kid            TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    revoked_at     TEXT,
    revoked_reason TEXT
);
CREATE INDEX passes_declaration ON passes(declaration_id);

-- Checkpoint events: append-only. `id` is the client's; a repeated id is answered with
-- the stored `result` and changes nothing.
CREATE TABLE checkpoint_events (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    gate_id        TEXT NOT NULL REFERENCES gates(id),
    seq            BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    outcome        TEXT,
    at_ms          BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    result         TEXT NOT NULL,
    UNIQUE (declaration_id, seq)
);

-- Projection of the fold over a vehicle's events, updated in the append's transaction.
CREATE TABLE vehicle_states (
    declaration_id TEXT PRIMARY KEY REFERENCES declarations(id),
    gate_id        TEXT NOT NULL,
    lane           TEXT NOT NULL,
    phase          TEXT NOT NULL,
    state          TEXT NOT NULL,                           -- JSON of the fold
    arrived_at_ms  BIGINT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX vehicle_states_gate_phase ON vehicle_states(gate_id, phase);

-- The yard queue of a gate: hash-chained, publishable, verifiable.
CREATE TABLE queue_log (
    gate_id   TEXT NOT NULL REFERENCES gates(id),
    seq       BIGINT NOT NULL,
    at_ms     BIGINT NOT NULL,
    action    TEXT NOT NULL,                                -- JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (gate_id, seq)
);

-- One row per vehicle that exited: the facts clearance-time metrics are computed from.
CREATE TABLE clearance_facts (
    declaration_id TEXT PRIMARY KEY REFERENCES declarations(id),
    gate_id        TEXT NOT NULL,
    lane           TEXT NOT NULL,
    direction      TEXT NOT NULL,
    day            TEXT NOT NULL,                           -- local date (UTC+7) of arrival
    arrived_ms     BIGINT NOT NULL,
    first_check_ms BIGINT,
    exited_ms      BIGINT NOT NULL,
    clearance_ms   BIGINT NOT NULL,
    wait_ms        BIGINT,
    final_status   TEXT NOT NULL
);
CREATE INDEX clearance_facts_gate_day ON clearance_facts(gate_id, day);
