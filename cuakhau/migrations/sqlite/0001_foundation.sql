-- Foundation: registry (countries, provinces, gates, gate pairs, lanes, status history),
-- accounts (users, companies, gate scopes, API tokens, UI sessions) and the audit trail.
-- Times are UTC ISO-8601 text ('YYYY-MM-DDTHH:MM:SSZ'); partial dates ('2007', '2007-03',
-- '2025-12-08') are text too. Mirror of ../postgres/0001_foundation.sql: keep them in step.

CREATE TABLE countries (
    code       TEXT PRIMARY KEY,          -- ISO 3166-1 alpha-2
    name_en    TEXT NOT NULL,
    name_vi    TEXT NOT NULL,
    name_km    TEXT,
    source     TEXT NOT NULL
);

CREATE TABLE provinces (
    id           TEXT PRIMARY KEY,
    country_code TEXT NOT NULL REFERENCES countries(code),
    name         TEXT NOT NULL,
    name_km      TEXT,
    search_key   TEXT NOT NULL,           -- folded name (no diacritics, lower case) for filters
    successor_id TEXT REFERENCES provinces(id),   -- 2025 merger: old province -> new province
    is_current   INTEGER NOT NULL DEFAULT 1,      -- 0 for provinces dissolved by a merger
    source       TEXT NOT NULL,
    UNIQUE (country_code, search_key)
);

CREATE TABLE gates (
    id              TEXT PRIMARY KEY,
    natural_key     TEXT NOT NULL UNIQUE,  -- country|folded name|folded province as first imported
    country_code    TEXT NOT NULL REFERENCES countries(code),
    name            TEXT NOT NULL,
    name_km         TEXT,
    search_key      TEXT NOT NULL,
    province_id     TEXT REFERENCES provinces(id),      -- province today
    province_old_id TEXT REFERENCES provinces(id),      -- province before the 2025 merger
    lat             REAL,
    lon             REAL,
    coord_precision TEXT,
    coord_source    TEXT,
    opening_hours   TEXT,                  -- JSON array of {days, opens, closes, note}
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE lanes (
    gate_id TEXT NOT NULL REFERENCES gates(id),
    kind    TEXT NOT NULL,                 -- truck | car | bus | pedestrian
    count   INTEGER NOT NULL,
    PRIMARY KEY (gate_id, kind)
);

CREATE TABLE gate_pairs (
    id           TEXT PRIMARY KEY,
    natural_key  TEXT NOT NULL UNIQUE,
    gate_a_id    TEXT NOT NULL REFERENCES gates(id),
    gate_b_id    TEXT REFERENCES gates(id),   -- NULL when the source names no counterpart gate
    country_a    TEXT NOT NULL REFERENCES countries(code),
    country_b    TEXT NOT NULL REFERENCES countries(code),
    class        TEXT,                        -- NULL when the source does not state it
    modes        TEXT NOT NULL,               -- comma list: road,rail,river
    status       TEXT NOT NULL,               -- latest status of the history
    status_since TEXT,                        -- date of the latest status, when known
    status_note  TEXT,                        -- the source's words on status
    search_key   TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX gate_pairs_country_b ON gate_pairs(country_b);

CREATE TABLE gate_pair_status_history (
    pair_id     TEXT NOT NULL REFERENCES gate_pairs(id),
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    date        TEXT,
    note        TEXT,
    source      TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (pair_id, seq)
);

CREATE TABLE companies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,             -- admin | officer | trader | viewer
    agency        TEXT,                      -- officers: border_guard | customs | quarantine
    company_id    TEXT REFERENCES companies(id),  -- traders
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE user_gates (
    user_id TEXT NOT NULL REFERENCES users(id),
    gate_id TEXT NOT NULL REFERENCES gates(id),
    PRIMARY KEY (user_id, gate_id)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,        -- sha256 of the secret; the secret is shown once
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id       TEXT PRIMARY KEY,               -- UUID v7: sorts by time
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,                  -- user id, or 'system' / 'cli'
    action   TEXT NOT NULL,                  -- e.g. gate_pair.update
    target   TEXT NOT NULL,
    detail   TEXT NOT NULL                   -- JSON
);
