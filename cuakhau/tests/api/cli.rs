//! The CLI, run as a real process.

use std::path::Path;
use std::process::{Command, Output};

use cuakhau::auth::{Agency, Role};
use serde_json::{json, Value};

use crate::client::req;
use crate::harness::{spawn_app_with, Backend, TempDir, TestApp};

fn cuakhau(dir: &TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cuakhau"))
        .args(args)
        .current_dir(&dir.0)
        .env("DATABASE_URL", format!("sqlite://{}/cli.db", dir.0.display()))
        .env_remove("CUAKHAU_ADMIN_PASSWORD")
        .output()
        .expect("run cuakhau")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn gates_list_prints_a_table_and_json() {
    let dir = TempDir::new();
    let out = cuakhau(&dir, &["gates", "list", "--country", "KH", "--class", "international"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.lines().next().unwrap().starts_with("id"));
    assert!(table.contains("Mộc Bài") && table.contains("Bavet") && table.contains("Tân Nam"));
    let out = cuakhau(&dir, &["gates", "list", "--country", "KH", "--class", "international", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(items.len() >= 9);
    assert!(items.iter().all(|p| p["class"] == "international"));
}

#[test]
fn bad_cli_input_is_one_line_and_a_failing_exit() {
    let dir = TempDir::new();
    let out = cuakhau(&dir, &["gates", "list", "--class", "huge"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: class:"), "{err}");
    let out = cuakhau(&dir, &["gates", "show", "nowhere"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no gate pair"));
}

#[test]
fn import_reports_rejected_lines_and_writes_nothing() {
    let dir = TempDir::new();
    let header = "country_a,gate_a,province_a,province_a_new,country_b,gate_b,province_b,class,mode,status,opened,lat,lon,coord_precision,coord_source,source\n";
    let csv = format!("{header}Vietnam,Cửa Mới,Tây Ninh,Tây Ninh,Cambodia,Gate X,,main,road,operating,,,,,,src\nVietnam,Short row\n");
    let file = dir.0.join("bad.csv");
    std::fs::write(&file, csv).unwrap();
    let out = cuakhau(&dir, &["import", "gates", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stdout).contains("rejected line 3"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("line 3: expected 16 columns, found 2"));
    let list = cuakhau(&dir, &["gates", "list", "--q", "cua moi", "--format", "json"]);
    assert_eq!(text(&list.stdout).trim(), "[]", "nothing written");
    // With --skip-invalid the good row goes in; a second run adds nothing.
    let out = cuakhau(&dir, &["import", "gates", file.to_str().unwrap(), "--skip-invalid", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["added"].as_array().unwrap().len(), 1);
    let out = cuakhau(&dir, &["import", "gates", file.to_str().unwrap(), "--skip-invalid", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["added"].as_array().unwrap().len(), 0);
    assert_eq!(v["unchanged"], 1);
}

#[test]
fn the_shipped_file_reimports_idempotently_and_users_get_tokens() {
    let dir = TempDir::new();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/gates.csv");
    let out = cuakhau(&dir, &["import", "gates", file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("0 added, 0 changed, 86 unchanged, 0 rejected"), "{}", text(&out.stdout));
    let out = cuakhau(&dir, &["users", "create", "hoa", "--role", "officer", "--agency", "customs", "--gate", "vn-moc-bai"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("password: "));
    let out = cuakhau(&dir, &["users", "create", "hoa2", "--role", "officer"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("agency"));
    let out = cuakhau(&dir, &["users", "token", "create", "hoa", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["token"].as_str().unwrap().starts_with("ck_"));
    let out = cuakhau(&dir, &["users", "token", "revoke", v["id"].as_str().unwrap()]);
    assert!(out.status.success());
    let out = cuakhau(&dir, &["config", "print"]);
    assert!(text(&out.stdout).contains("port = 8080"));
}

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = TempDir::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cuakhau"))
        .args(["serve", "--port", "0", "--log-format", "json"])
        .current_dir(&dir.0)
        .env("DATABASE_URL", format!("sqlite://{}/serve.db", dir.0.display()))
        .env("CUAKHAU_ADMIN_PASSWORD", "first admin password")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.find_map(|l| l.ok().filter(|l| l.contains("serving on"))).expect("a serving line");
    let url = line.split("http://").nth(1).unwrap().split(' ').next().unwrap().to_string();
    let addr: std::net::SocketAddr = url.parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let ready = rt.block_on(crate::client::req(addr, "GET", "/readyz").send());
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["database"], "sqlite");
    let pairs = rt.block_on(crate::client::req(addr, "GET", "/api/v1/gate-pairs?country=KH").send());
    assert_eq!(pairs.json()["total"], 35);
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.lines().any(|l| l.starts_with('{') && l.contains("shutdown signal received")), "JSON logs: {logs}");
}

/// Runs the CLI on the database at `url`, off the async runtime (a test's server keeps
/// answering meanwhile).
async fn cuakhau_on(dir: &Path, url: &str, args: &[&str]) -> Output {
    let (dir, url) = (dir.to_path_buf(), url.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_cuakhau"))
            .args(&args)
            .current_dir(&dir)
            .env("DATABASE_URL", &url)
            .env_remove("CUAKHAU_ADMIN_PASSWORD")
            // Info logs (a fresh database loading its reference data) would share stderr
            // with the one error line under test.
            .env("CUAKHAU_LOG", "warn")
            .output()
            .expect("run cuakhau")
    })
    .await
    .unwrap()
}

/// A failure: exit code 1 and one `error: …` line on stderr containing `needle`.
#[track_caller]
fn assert_fails_with(out: &Output, needle: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout: {} stderr: {err}", text(&out.stdout));
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{needle:?} in {err}");
}

/// A node whose SQLite database the CLI can open too.
async fn node(dir: &TempDir) -> (TestApp, String) {
    let url = format!("sqlite://{}/node.db", dir.0.display());
    let app = spawn_app_with(Backend::Sqlite, |c| c.database_url = url.clone()).await.expect("sqlite always runs");
    (app, url)
}

/// Tomorrow 08:00 local (UTC+7), RFC 3339.
fn tomorrow_0800() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    format!("{}T08:00:00+07:00", now.date().next_day().unwrap())
}

/// Declares a durian truck and books tomorrow 08:00; returns (declaration id, booking).
async fn booked_durian(app: &TestApp, trader: &str, plate: &str) -> (String, Value) {
    let r = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(trader).json(&crate::clearance::durian(plate)).send().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let b = req(app.addr, "POST", &format!("/api/v1/declarations/{id}/booking")).bearer(trader).json(&json!({"slot_start": tomorrow_0800()})).send().await;
    assert_eq!(b.status, 201, "{}", b.body);
    (id, b.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pass_verify_accepts_a_real_pass_and_says_why_a_tampered_expired_or_revoked_one_is_not() {
    let dir = TempDir::new();
    let (app, url) = node(&dir).await;
    let trader = app.user_token("trader1", Role::Trader, None, Some("Công ty TNHH Nông sản Tây Ninh"), &[]).await;
    let (id, booking) = booked_durian(&app, &trader, "70C-123.45").await;
    let token = booking["pass"]["token"].as_str().unwrap().to_string();
    let pass_id = booking["pass"]["id"].as_str().unwrap().to_string();
    let expires_at = booking["pass"]["expires_at"].as_i64().unwrap();

    // The real pass, checked with the node's own keys (its database) and as JSON.
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.starts_with(&format!("valid pass {pass_id}")) && shown.contains(&id) && shown.contains("70C12345"), "{shown}");
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token, "--format", "json"]).await;
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["claims"]["declaration"], id.as_str());

    // Offline, with the keys as published; a node database that knows nothing of them
    // does not matter then.
    let keys = req(app.addr, "GET", "/api/v1/node/keys").send().await.body;
    let keys_file = dir.0.join("keys.json");
    std::fs::write(&keys_file, &keys).unwrap();
    let other = TempDir::new();
    let other_url = format!("sqlite://{}/other.db", other.0.display());
    let out = cuakhau_on(&other.0, &other_url, &["pass", "verify", &token, "--keys", keys_file.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Without them, another node's keys do not verify it.
    let out = cuakhau_on(&other.0, &other_url, &["pass", "verify", &token]).await;
    assert_fails_with(&out, "unknown key");

    // Tampered: one character of the signed claims changed.
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 4, "GP1.kid.payload.signature");
    let mut payload = parts[2].to_string();
    let at = payload.len() / 2;
    let swapped = if &payload[at..at + 1] == "A" { "B" } else { "A" };
    payload.replace_range(at..at + 1, swapped);
    let tampered = [parts[0], parts[1], &payload, parts[3]].join(".");
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &tampered]).await;
    assert_fails_with(&out, "invalid pass: pass signature is invalid");
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &tampered, "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["reason"].as_str().unwrap().contains("signature"), "{v}");
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", "not-a-pass"]).await;
    assert_fails_with(&out, "malformed pass");

    // Expired: verified as of its expiry.
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token, "--at", &expires_at.to_string()]).await;
    assert_fails_with(&out, "pass expired at");
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token, "--at", &(expires_at - 1).to_string()]).await;
    assert!(out.status.success(), "valid up to its expiry: {}", text(&out.stderr));

    // Revoked: the trader cancels; the published revocation list names the pass.
    let r = req(app.addr, "POST", &format!("/api/v1/declarations/{id}/cancel")).bearer(&trader).send().await;
    assert_eq!(r.status, 200, "{}", r.body);
    let revoked = req(app.addr, "GET", "/api/v1/passes/revoked").send().await.body;
    assert!(revoked.contains(&pass_id), "{revoked}");
    // On the node itself, its database knows the revocation without a file.
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token]).await;
    assert_fails_with(&out, &format!("pass {pass_id} has been revoked"));
    let revoked_file = dir.0.join("revoked.json");
    std::fs::write(&revoked_file, &revoked).unwrap();
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token, "--revoked", revoked_file.to_str().unwrap()]).await;
    assert_fails_with(&out, &format!("pass {pass_id} has been revoked"));
    // A revocation file that is not the published JSON is an error, not a verdict.
    std::fs::write(&revoked_file, "{\"not\": \"a list\"}").unwrap();
    let out = cuakhau_on(&dir.0, &url, &["pass", "verify", &token, "--revoked", revoked_file.to_str().unwrap()]).await;
    assert_fails_with(&out, "is not the expected JSON");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_verify_accepts_a_gates_real_log_and_names_the_line_of_a_tampered_one() {
    let dir = TempDir::new();
    let (app, url) = node(&dir).await;
    let trader = app.user_token("trader1", Role::Trader, None, Some("Công ty TNHH Nông sản Tây Ninh"), &[]).await;
    let guard = app.user_token("guard1", Role::Officer, Some(Agency::BorderGuard), None, &["vn-moc-bai"]).await;
    let (a, _) = booked_durian(&app, &trader, "70C-111.11").await;
    let (b, _) = booked_durian(&app, &trader, "70C-222.22").await;
    let events = json!({"events": [
        {"id": "q1", "declaration": a, "kind": "arrived_yard"},
        {"id": "q2", "declaration": b, "kind": "arrived_yard"},
        {"id": "q3", "declaration": a, "kind": "called_forward"},
        {"id": "q4", "declaration": b, "kind": "called_forward"},
    ]});
    let r = req(app.addr, "POST", "/api/v1/gates/vn-moc-bai/events").bearer(&guard).json(&events).send().await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json().as_array().unwrap().iter().all(|e| e["accepted"] == true), "{}", r.body);
    let log = req(app.addr, "GET", "/api/v1/gates/vn-moc-bai/queue-log").send().await.body;
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 4, "{log}");
    let file = dir.0.join("queue.jsonl");
    let verify = |content: String| {
        let (dir, url, file) = (dir.0.clone(), url.clone(), file.clone());
        async move {
            std::fs::write(&file, content).unwrap();
            let out = cuakhau_on(&dir, &url, &["queue", "verify", file.to_str().unwrap()]).await;
            let json = cuakhau_on(&dir, &url, &["queue", "verify", file.to_str().unwrap(), "--format", "json"]).await;
            (out, serde_json::from_slice::<Value>(&json.stdout).unwrap_or(Value::Null), json.status.code())
        }
    };

    // The real log.
    let (out, v, code) = verify(log.clone()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("valid: 4 entries, 2 arrivals, 2 calls, head "), "{}", text(&out.stdout));
    assert_eq!((v["valid"].clone(), code), (json!(true), Some(0)));

    // An edited line: the second arrival's time moved by a second.
    let edited_at = lines[1].replacen("\"at_ms\":", "\"at_ms\":1", 1);
    assert_ne!(edited_at, lines[1]);
    let (out, v, code) = verify([lines[0], &edited_at, lines[2], lines[3]].join("\n")).await;
    assert_fails_with(&out, "line 2: entry 1 was altered, removed or moved");
    assert_eq!((v["valid"].clone(), v["line"].clone(), code), (json!(false), json!(2), Some(1)));
    // The vehicle swapped in the last line.
    let (out, _, _) = verify([lines[0], lines[1], lines[2], &lines[3].replace(&b, &a)].join("\n")).await;
    assert_fails_with(&out, "line 4: entry 3 was altered");

    // A removed line: the entry after it no longer links.
    let (out, v, _) = verify([lines[0], lines[2], lines[3]].join("\n")).await;
    assert_fails_with(&out, "line 2: entry 1 was altered, removed or moved");
    assert_eq!(v["line"], 2);

    // A chain rebuilt without the skip it needs: B called ahead of A. The hashes are
    // right, the queue is not.
    use cuakhau::clearance::queue::{append, to_jsonl, QueueAction};
    let mut forged = Vec::new();
    let t = 1_764_550_800_000;
    for action in [
        QueueAction::Arrived { vehicle: a.clone(), lane: "green".into() },
        QueueAction::Arrived { vehicle: b.clone(), lane: "green".into() },
        QueueAction::Called { vehicle: b.clone(), lane: "green".into() },
    ] {
        let entry = append(&forged, t + forged.len() as i64, action);
        forged.push(entry);
    }
    let (out, _, _) = verify(to_jsonl(&forged)).await;
    assert_fails_with(&out, &format!("line 3: entry 2: {b} was called ahead of {a}"));

    // Not JSON lines at all: the line is named too.
    let (out, _, _) = verify(format!("{}\nnot json\n", lines[0])).await;
    assert_fails_with(&out, "line 2:");
}

/// Yesterday, the last day `cuakhau demo` fills (local time, UTC+7).
fn yesterday() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    now.date().previous_day().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fills_yesterday_reproducibly_and_the_gate_metrics_show_it() {
    let (a, b) = (TempDir::new(), TempDir::new());
    let url_a = format!("sqlite://{}/demo.db", a.0.display());
    let url_b = format!("sqlite://{}/demo.db", b.0.display());
    let args = ["demo", "--days", "1", "--seed", "7", "--format", "json"];
    let day = yesterday();
    let first = cuakhau_on(&a.0, &url_a, &args).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let progress = text(&first.stderr);
    assert!(progress.contains(&format!("[100%] day 1/1 {day}")), "{progress}");
    let summary: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(summary["pair"], "moc-bai--bavet");
    assert_eq!(summary["days"][0]["day"], day.as_str());
    let d = &summary["days"][0];
    let exited = d["exited"].as_u64().unwrap();
    assert!((700..=900).contains(&exited), "about 800 trucks: {d}");
    assert_eq!(d["rejected_events"], 0);
    assert_eq!(summary["rejected_events"], 0);
    assert!(d["refused"].as_u64().unwrap() < 20, "refusals are rare: {d}");
    let lanes: Vec<&str> = summary["lanes"].as_array().unwrap().iter().map(|l| l["lane"].as_str().unwrap()).collect();
    assert_eq!(lanes, ["green", "yellow", "red", "all"]);
    let green = summary["lanes"][0]["exited"].as_u64().unwrap();
    assert!(green * 10 > exited * 7, "mostly green once the companies are established: {}", summary["lanes"]);

    // The same seed on a fresh database: the same summary.
    let second = cuakhau_on(&b.0, &url_b, &args).await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    if yesterday() == day {
        assert_eq!(text(&first.stdout), text(&second.stdout), "same seed, same days, same summary");
    }

    // Again on the first database: the day is there already; nothing is added.
    let again = cuakhau_on(&a.0, &url_a, &args).await;
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("nothing to do"), "{}", text(&again.stderr));
    let v: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["days"], json!([]));
    assert_eq!(v["skipped_days"], json!([day]));

    // The node serving that database shows the numbers, and its queue log verifies.
    let app = spawn_app_with(Backend::Sqlite, |c| c.database_url = url_a.clone()).await.unwrap();
    let m = req(app.addr, "GET", &format!("/api/v1/gates/vn-moc-bai/metrics?from={day}&to={day}")).send().await;
    assert_eq!(m.status, 200, "{}", m.body);
    let m = m.json();
    let count = m["total"]["clearance"]["count"].as_u64().unwrap();
    assert!(count > 0, "{m}");
    assert_eq!(count, d["cleared"].as_u64().unwrap());
    assert_eq!(m["total"]["clearance"]["p50_min"], d["clearance"]["p50_min"]);
    assert!(m["groups"].as_array().unwrap().iter().any(|g| g["lane"] == "green" && g["direction"] == "import"), "{m}");
    let log = req(app.addr, "GET", "/api/v1/gates/vn-moc-bai/queue-log").send().await.body;
    let file = a.0.join("queue.jsonl");
    std::fs::write(&file, &log).unwrap();
    let out = cuakhau_on(&a.0, &url_a, &["queue", "verify", file.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn demo_refuses_bad_flags_in_one_line() {
    let dir = TempDir::new();
    for (args, needle) in [
        (&["demo", "--days", "0"][..], "--days: 0 is not in 1..=366"),
        (&["demo", "--days", "367"], "--days: 367 is not in 1..=366"),
        (&["demo", "--days", "-2"], "--days: -2 is not in 1..=366"),
        (&["demo", "--vehicles", "0"], "--vehicles"),
        (&["demo", "--slot-capacity", "0"], "--slot-capacity"),
        (&["demo", "--gate-pair", "nowhere"], "no gate pair \"nowhere\""),
        (&["demo", "--gate-pair", "moc-bai-railway--bavet-railway"], "is planned, not open for traffic"),
        (&["demo", "--gate-pair", "bo-y--phu-kua"], "no commodity mix for VN–LA"),
    ] {
        let out = cuakhau(&dir, args);
        assert_fails_with(&out, needle);
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
}
