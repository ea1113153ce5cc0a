//! End-to-end tests through HTTP and the CLI. One test binary (one link on 2 cores).
//!
//! The conformance suite (`conformance.rs`) runs every test twice: on SQLite and on
//! PostgreSQL (`CUAKHAU_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`).
//! Without a reachable PostgreSQL the PostgreSQL half prints that it was skipped, unless
//! `CUAKHAU_TEST_REQUIRE_POSTGRES=1` (set by CI), which turns a skip into a failure.

mod browser;
mod clearance;
mod clearance_pages;
mod cli;
mod client;
mod conformance;
mod harness;
