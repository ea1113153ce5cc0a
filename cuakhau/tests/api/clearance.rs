//! Goods clearance end to end, on both backends: declare → assess → book → pass →
//! checkpoint events → exited → metrics; bad input; no overbooking under concurrency.

use cuakhau::auth::{Agency, Role};
use serde_json::{json, Value};

use crate::client::req;
use crate::conformance;
use crate::harness::TestApp;

/// Tomorrow 08:00 local (UTC+7) as RFC 3339, and that slot's start.
fn tomorrow_0800() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let d = now.date().next_day().unwrap();
    format!("{d}T08:00:00+07:00")
}

pub fn durian(plate: &str) -> Value {
    json!({
        "pair_id": "moc-bai--bavet", "direction": "import",
        "lines": [{"hs": "0810.60", "description": "Sầu riêng tươi / fresh durian", "quantity": 18000, "unit": "kg",
                   "net_mass_kg": 18000, "value": {"minor": 4500000, "currency": "USD"}, "origin": "KH"}],
        "vehicle": {"plate": plate, "country": "VN", "type": "reefer", "axles": 3, "gross_mass_kg": 26000},
        "driver": {"name": "Nguyễn Văn An", "document_number": "C1234567", "nationality": "VN"},
        "planned_arrival": tomorrow_0800()
    })
}

fn steel(plate: &str) -> Value {
    json!({
        "pair_id": "moc-bai--bavet", "direction": "export",
        "lines": [{"hs": "7214", "description": "Thép thanh / steel bars", "quantity": 25, "unit": "tonne",
                   "net_mass_kg": 25000, "value": {"minor": 1750000, "currency": "USD"}, "origin": "VN"}],
        "vehicle": {"plate": plate, "country": "VN", "type": "truck", "axles": 4, "gross_mass_kg": 38000},
        "driver": {"name": "Trần Thị Bình", "document_number": "B7654321", "nationality": "VN"},
        "planned_arrival": tomorrow_0800()
    })
}

struct Cast {
    trader: String,
    guard: String,
    customs: String,
    quarantine: String,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        trader: app.user_token("trader1", Role::Trader, None, Some("Công ty TNHH Nông sản Tây Ninh"), &[]).await,
        guard: app.user_token("guard1", Role::Officer, Some(Agency::BorderGuard), None, &["vn-moc-bai"]).await,
        customs: app.user_token("customs1", Role::Officer, Some(Agency::Customs), None, &["vn-moc-bai"]).await,
        quarantine: app.user_token("quar1", Role::Officer, Some(Agency::Quarantine), None, &["vn-moc-bai"]).await,
    }
}

/// Posts one checkpoint event through the API at Mộc Bài; its per-event answer.
pub(crate) async fn post_event(app: &TestApp, token: &str, id: &str, decl: &str, kind: &str, outcome: Option<&str>) -> Value {
    let mut e = json!({"id": id, "declaration": decl, "kind": kind});
    if let Some(o) = outcome {
        e["outcome"] = json!(o);
    }
    let r = req(app.addr, "POST", "/api/v1/gates/vn-moc-bai/events").bearer(token).json(&json!({"events": [e]})).send().await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()[0].clone()
}

conformance!(a_durian_truck_goes_from_declaration_to_exit_and_into_the_metrics, |app| {
    let c = cast(&app).await;
    let r = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(&c.trader).header("idempotency-key", "k-1").json(&durian("70C-123.45")).send().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = r.json();
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["status"], "assessed");
    assert_eq!(d["perishable"], true);
    let checks: Vec<&str> = d["assessment"]["checks"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(checks.contains(&"quarantine"), "durian needs quarantine: {checks:?}");
    let reasons = d["assessment"]["fired"].as_array().unwrap().iter().map(|f| f["reason"].as_str().unwrap()).collect::<Vec<_>>().join(" | ");
    assert!(reasons.contains("0810.60"), "{reasons}");
    // A retry with the same key is the same declaration.
    let again = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(&c.trader).header("idempotency-key", "k-1").json(&durian("70C-123.45")).send().await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["id"], id.as_str());
    assert_eq!(app.count("declarations").await, 1);

    // Book tomorrow 08:00 and get a pass that verifies offline with the published key.
    let b = req(app.addr, "POST", &format!("/api/v1/declarations/{id}/booking")).bearer(&c.trader).json(&json!({"slot_start": tomorrow_0800()})).send().await;
    assert_eq!(b.status, 201, "{}", b.body);
    let booking = b.json();
    let token = booking["pass"]["token"].as_str().unwrap().to_string();
    let keys = req(app.addr, "GET", "/api/v1/node/keys").send().await.json();
    let key = gatepass::PublicKey::from_hex(keys[0]["public_hex"].as_str().unwrap()).unwrap();
    let claims = gatepass::verify(&token, std::slice::from_ref(&key), time::OffsetDateTime::now_utc().unix_timestamp(), |_| false).unwrap();
    assert_eq!(claims.declaration, id);
    assert_eq!(claims.plate, "70C12345");
    let mut tampered = token.clone();
    let pos = tampered.len() - 5;
    tampered.replace_range(pos..pos + 1, if &token[pos..pos + 1] == "A" { "B" } else { "A" });
    assert!(gatepass::verify(&tampered, &[key], 0, |_| false).is_err());
    let svg = req(app.addr, "GET", &format!("/api/v1/passes/{}.svg", booking["pass"]["id"].as_str().unwrap())).bearer(&c.trader).send().await;
    assert_eq!(svg.status, 200);
    assert!(svg.body.starts_with("<?xml") || svg.body.contains("<svg"));

    // At the gate: the border guard records arrival (plate read must match), calls it forward.
    let wrong = req(app.addr, "POST", "/api/v1/gates/vn-moc-bai/events").bearer(&c.guard)
        .json(&json!({"events": [{"id": "e0", "declaration": id, "kind": "arrived_yard", "plate": "51D-999.99"}]})).send().await.json();
    assert_eq!(wrong[0]["status"], 409, "{wrong}");
    let arrived = post_event(&app, &c.guard, "e1", &id, "arrived_yard", None).await;
    assert_eq!(arrived["phase"], "in_yard");
    post_event(&app, &c.guard, "e2", &id, "called_forward", None).await;
    // Exiting before quarantine is refused with the reason.
    let early = post_event(&app, &c.guard, "e3", &id, "exited", None).await;
    assert_eq!(early["accepted"], false);
    assert!(early["reason"].as_str().unwrap().contains("quarantine"), "{early}");
    // Customs cannot post the quarantine check.
    let wrong_agency = post_event(&app, &c.customs, "e4", &id, "quarantine_check", Some("ok")).await;
    assert_eq!(wrong_agency["status"], 403);
    for check in checks {
        let (token, kind) = match check {
            "quarantine" => (&c.quarantine, "quarantine_check"),
            "document" => (&c.customs, "document_check"),
            "physical" => (&c.customs, "physical_inspection"),
            _ => (&c.customs, "xray_scan"),
        };
        let r = post_event(&app, token, &format!("check-{check}"), &id, kind, Some("ok")).await;
        assert_eq!(r["accepted"], true, "{r}");
    }
    post_event(&app, &c.customs, "e5", &id, "fee_paid", None).await;
    let exited = post_event(&app, &c.guard, "e6", &id, "exited", None).await;
    assert_eq!(exited["phase"], "exited", "{exited}");
    // A repeated event id gets its first answer and changes nothing.
    let events_before = app.count("checkpoint_events").await;
    let dup = post_event(&app, &c.guard, "e6", &id, "exited", None).await;
    assert_eq!(dup["duplicate"], true);
    assert_eq!(dup["phase"], "exited");
    assert_eq!(app.count("checkpoint_events").await, events_before);

    let d = req(app.addr, "GET", &format!("/api/v1/declarations/{id}")).bearer(&c.trader).send().await.json();
    assert_eq!(d["status"], "cleared");
    let statuses: Vec<&str> = d["history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["draft", "submitted", "assessed", "booked", "at_gate", "cleared"]);
    let today = cuakhau::clearance::events::local_day((time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64);
    let m = req(app.addr, "GET", &format!("/api/v1/gates/vn-moc-bai/metrics?from={today}")).send().await.json();
    assert_eq!(m["total"]["clearance"]["count"], 1, "{m}");
    assert!(m["total"]["clearance"]["p50_min"].as_f64().is_some());
    // The queue log verifies, and a tampered copy does not.
    let log = req(app.addr, "GET", "/api/v1/gates/vn-moc-bai/queue-log").send().await.body;
    let entries = cuakhau::clearance::queue::from_jsonl(&log).unwrap();
    assert_eq!(entries.len(), 2, "arrival and call");
    assert!(cuakhau::clearance::queue::verify(&entries).is_ok());
    let forged = cuakhau::clearance::queue::from_jsonl(&log.replacen(&id, "D-someone-else", 1)).unwrap();
    assert!(cuakhau::clearance::queue::verify(&forged).is_err());
});

conformance!(bad_declarations_and_events_get_problems_and_change_nothing, |app| {
    let c = cast(&app).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/lines/0/hs", json!("7700"), "lines[0].hs"),
        ("/lines/0/hs", json!("12"), "lines[0].hs"),
        ("/lines/0/hs", json!("abcd"), "lines[0].hs"),
        ("/lines/0/quantity", json!(0), "lines[0].quantity"),
        ("/lines/0/quantity", json!(-5), "lines[0].quantity"),
        ("/lines/0/value/currency", json!("XXX"), "lines[0].value.currency"),
        ("/vehicle/plate", json!(""), "vehicle.plate"),
        ("/planned_arrival", json!("2020-01-01T08:00:00+07:00"), "planned_arrival"),
        ("/pair_id", json!("nowhere"), "pair_id"),
    ];
    for (pointer, value, field) in cases {
        let mut body = durian("70C-123.45");
        *body.pointer_mut(pointer).unwrap() = value;
        req(app.addr, "POST", "/api/v1/declarations").bearer(&c.trader).json(&body).send().await.assert_problem(422, Some(field));
    }
    assert_eq!(app.count("declarations").await, 0);
    // Only traders declare.
    req(app.addr, "POST", "/api/v1/declarations").bearer(&c.customs).json(&durian("70C-123.45")).send().await.assert_problem(403, None);
    // Events: unknown vehicle → 404 in its result; another gate's officer → 403.
    let r = post_event(&app, &c.guard, "x1", "D-unknown", "arrived_yard", None).await;
    assert_eq!(r["status"], 404);
    let other = app.user_token("guard2", Role::Officer, Some(Agency::BorderGuard), None, &["vn-xa-mat"]).await;
    req(app.addr, "POST", "/api/v1/gates/vn-moc-bai/events").bearer(&other)
        .json(&json!({"events": [{"id": "x2", "declaration": "D-unknown", "kind": "arrived_yard"}]})).send().await.assert_problem(403, None);
    req(app.addr, "POST", "/api/v1/gates/vn-moc-bai/events").bearer(&c.guard)
        .json(&json!({"events": [{"id": "x3", "declaration": "D-1", "kind": "teleported"}]})).send().await.assert_problem(422, Some("events[0].kind"));
    assert_eq!(app.count("checkpoint_events").await, 0);
    // Steel bars: the assessment says why, and green means no checks.
    let s = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(&c.trader).json(&steel("51C-888.88")).send().await.json();
    let a = &s["assessment"];
    assert!(!a["checks"].as_array().unwrap().iter().any(|c| c == "quarantine"));
    if a["lane"] == "green" {
        assert!(a["checks"].as_array().unwrap().is_empty());
    } else {
        assert!(!a["fired"].as_array().unwrap().is_empty(), "a non-green lane names its rules: {a}");
    }
});

conformance!(two_hundred_concurrent_bookings_for_the_last_five_places_give_exactly_five, with |c: &mut cuakhau::config::Config| c.clearance.company_bookings_per_hour = 1000, |app| {
    let c = cast(&app).await;
    let slot = tomorrow_0800();
    // General capacity is slot_capacity - perishable_reserved = 12 - 4 = 8; book 3 first.
    let mut ids = Vec::new();
    for i in 0..203 {
        let mut body = steel(&format!("51C-{:03}.{:02}", i, i % 100));
        body["driver"]["document_number"] = json!(format!("B{:07}", i));
        let r = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(&c.trader).json(&body).send().await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    for id in &ids[..3] {
        let r = req(app.addr, "POST", &format!("/api/v1/declarations/{id}/booking")).bearer(&c.trader).json(&json!({"slot_start": slot})).send().await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let mut tasks = Vec::new();
    for id in ids.into_iter().skip(3) {
        let (addr, token, slot) = (app.addr, c.trader.clone(), slot.clone());
        tasks.push(tokio::spawn(async move {
            req(addr, "POST", &format!("/api/v1/declarations/{id}/booking")).bearer(&token).json(&json!({"slot_start": slot})).send().await.status
        }));
    }
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        match t.await.unwrap() {
            201 => ok += 1,
            409 => full += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((ok, full), (5, 195));
    let (booked,): (i64,) = sqlx::query_as("SELECT booked_total FROM slots").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(booked, 8);
    assert_eq!(app.count("bookings").await, 8);
    // Perishables still find their reserved places.
    let p = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(&c.trader).json(&durian("70C-555.55")).send().await.json();
    let r = req(app.addr, "POST", &format!("/api/v1/declarations/{}/booking", p["id"].as_str().unwrap())).bearer(&c.trader).json(&json!({"slot_start": slot})).send().await;
    assert_eq!(r.status, 201, "{}", r.body);
});
