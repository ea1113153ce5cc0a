//! The CLI, run as a real process.

use std::process::{Command, Output};

use crate::harness::TempDir;

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
