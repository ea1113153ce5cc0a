//! The conformance suite: the same behaviour on SQLite and PostgreSQL.

use cuakhau::auth::{Agency, Role};
use serde_json::json;

use crate::client::req;
use crate::conformance;

conformance!(reference_data_loads_all_86_pairs_with_35_for_cambodia, |app| {
    let all = req(app.addr, "GET", "/api/v1/gate-pairs?per_page=500").send().await;
    assert_eq!(all.status, 200);
    assert_eq!(all.json()["total"], 86);
    let kh = req(app.addr, "GET", "/api/v1/gate-pairs?country=KH&per_page=100").send().await.json();
    assert_eq!(kh["total"], 35);
    let items = kh["items"].as_array().unwrap();
    let moc_bai = items.iter().find(|p| p["gate_a"] == "Mộc Bài").expect("Mộc Bài–Bavet");
    assert_eq!(moc_bai["gate_b"], "Bavet");
    assert_eq!(moc_bai["class"], "international");
    let tan_nam = items.iter().find(|p| p["gate_a"] == "Tân Nam").expect("Tân Nam–Meun Chey");
    assert_eq!(tan_nam["class"], "international");
    assert_eq!(tan_nam["status"], "operating");
    assert_eq!(tan_nam["status_since"], "2025-12-08");
    assert!(tan_nam["gate_b"].as_str().unwrap().starts_with("Meun Chey"));
    // A field the data lacks stays empty: Bắc Đai has no partner gate in the source.
    let bac_dai = items.iter().find(|p| p["gate_a"] == "Bắc Đai").unwrap();
    assert!(bac_dai["gate_b"].is_null());
    assert!(bac_dai["status_since"].is_null());
});

conformance!(pairs_filter_by_class_mode_status_text_and_province_old_or_new, |app| {
    let get = |q: &'static str| {
        let addr = app.addr;
        async move { req(addr, "GET", &format!("/api/v1/gate-pairs?{q}")).send().await.json() }
    };
    let intl_kh = get("country=KH&class=international&per_page=100").await;
    assert!(intl_kh["items"].as_array().unwrap().iter().all(|p| p["class"] == "international" && p["country_b"] == "KH"));
    assert!(intl_kh["total"].as_i64().unwrap() >= 9);
    let rail = get("mode=rail").await;
    assert_eq!(rail["total"], 3);
    let river = get("mode=river").await;
    assert_eq!(river["total"], 2);
    let planned = get("status=planned").await;
    assert!(planned["items"].as_array().unwrap().iter().all(|p| p["status"] == "planned"));
    // Pre-2025 province (Long An) and the province it merged into (Tây Ninh).
    let long_an = get("province=Long%20An").await;
    assert_eq!(long_an["total"], 4);
    assert!(long_an["items"].as_array().unwrap().iter().all(|p| p["province_a"] == "Tây Ninh" && p["province_a_old"] == "Long An"));
    let tay_ninh = get("province=tay%20ninh&per_page=100").await;
    assert!(tay_ninh["total"].as_i64().unwrap() > long_an["total"].as_i64().unwrap());
    let search = get("q=moc%20bai").await;
    assert_eq!(search["total"], 2, "road and railway gates at Mộc Bài");
    let page2 = get("country=KH&per_page=10&page=4").await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 5);
    let gates = req(app.addr, "GET", "/api/v1/gates?country=KH&q=bavet").send().await.json();
    assert!(gates["items"].as_array().unwrap().iter().any(|g| g["name"] == "Bavet"));
});

conformance!(bad_filters_are_400_problems_naming_the_parameter, |app| {
    for (q, field) in [
        ("class=huge", "class"),
        ("country=XX", "country"),
        ("mode=air", "mode"),
        ("status=open", "status"),
        ("page=0", "page"),
        ("per_page=100000", "per_page"),
        ("colour=red", "colour"),
    ] {
        let r = req(app.addr, "GET", &format!("/api/v1/gate-pairs?{q}")).send().await;
        r.assert_problem(400, Some(field));
    }
});

conformance!(a_pair_shows_both_gates_and_its_history, |app| {
    let r = req(app.addr, "GET", "/api/v1/gate-pairs/moc-bai--bavet").send().await;
    assert_eq!(r.status, 200, "{}", r.body);
    let p = r.json();
    assert_eq!(p["gate_a_detail"]["province"], "Tây Ninh");
    assert_eq!(p["gate_a_detail"]["coord_precision"], "exact");
    assert!(p["gate_a_detail"]["lat"].as_f64().unwrap() > 11.0);
    assert_eq!(p["gate_b_detail"]["name"], "Bavet");
    assert_eq!(p["history"].as_array().unwrap().len(), 1);
    assert!(p["source"].as_str().unwrap().contains("wikipedia"));
    req(app.addr, "GET", "/api/v1/gate-pairs/nowhere").send().await.assert_problem(404, None);
    // Upgraded gates keep both steps.
    let le_thanh = req(app.addr, "GET", "/api/v1/gate-pairs?q=le%20thanh").send().await.json();
    let id = le_thanh["items"][0]["id"].as_str().unwrap().to_string();
    let h = req(app.addr, "GET", &format!("/api/v1/gate-pairs/{id}")).send().await.json();
    let statuses: Vec<&str> = h["history"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["operating", "upgraded"]);
});

conformance!(writes_need_a_token_and_the_right_role_and_scope, |app| {
    let body = json!({"class": "main", "source": "test"});
    // No credentials → 401.
    req(app.addr, "PATCH", "/api/v1/gate-pairs/moc-bai--bavet").json(&body).send().await.assert_problem(401, None);
    // An invalid token → 401.
    req(app.addr, "PATCH", "/api/v1/gate-pairs/moc-bai--bavet").bearer("ck_nope").json(&body).send().await.assert_problem(401, None);
    // A viewer → 403.
    let viewer = app.user_token("vera", Role::Viewer, None, None, &[]).await;
    req(app.addr, "PATCH", "/api/v1/gate-pairs/moc-bai--bavet").bearer(&viewer).json(&body).send().await.assert_problem(403, None);
    // An officer of Mộc Bài cannot change Xa Mát, nor the pair itself, but can set Mộc Bài's lanes.
    let officer = app.user_token("oanh", Role::Officer, Some(Agency::Customs), None, &["vn-moc-bai"]).await;
    let lanes = json!({"lanes": [{"kind": "truck", "count": 4}, {"kind": "pedestrian", "count": 2}]});
    req(app.addr, "PATCH", "/api/v1/gates/vn-xa-mat").bearer(&officer).json(&lanes).send().await.assert_problem(403, None);
    req(app.addr, "PATCH", "/api/v1/gate-pairs/moc-bai--bavet").bearer(&officer).json(&body).send().await.assert_problem(403, None);
    let ok = req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").bearer(&officer).json(&lanes).send().await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["lanes"].as_array().unwrap().len(), 2);
    let km = json!({"name_km": "x"});
    req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").bearer(&officer).json(&km).send().await.assert_problem(403, None);
    // A trader cannot touch gates.
    let trader = app.user_token("tuan", Role::Trader, None, Some("Công ty A"), &[]).await;
    req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").bearer(&trader).json(&lanes).send().await.assert_problem(403, None);
    // Bad lanes name the field and change nothing.
    let before = app.count("lanes").await;
    let bad = json!({"lanes": [{"kind": "truck", "count": 0}]});
    req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").bearer(&officer).json(&bad).send().await.assert_problem(422, Some("lanes[0].count"));
    let bad_kind = json!({"lanes": [{"kind": "boat", "count": 1}]});
    req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").bearer(&officer).json(&bad_kind).send().await.assert_problem(422, Some("lanes[0].kind"));
    let hours = json!({"opening_hours": [{"days": "mon-sun", "opens": "07:00", "closes": "25:00"}]});
    req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").bearer(&officer).json(&hours).send().await.assert_problem(422, Some("opening_hours[0].closes"));
    assert_eq!(app.count("lanes").await, before);
    // /me says who the bearer is.
    let me = req(app.addr, "GET", "/api/v1/me").bearer(&officer).send().await.json();
    assert_eq!(me["role"], "officer");
    assert_eq!(me["gates"], json!(["vn-moc-bai"]));
});

conformance!(an_admin_creates_a_pair_once_and_bad_bodies_change_nothing, |app| {
    let admin = app.admin_token().await;
    let pairs_before = app.count("gate_pairs").await;
    let new = json!({
        "gate_a": {"country": "VN", "name": "Cửa khẩu Thử", "province": "Tây Ninh"},
        "gate_b": {"country": "KH", "name": "Test Gate", "province": "Svay Rieng"},
        "class": "secondary", "modes": ["road"], "status": "planned", "source": "conformance test"
    });
    let bad_cases: Vec<(serde_json::Value, u16, &str)> = vec![
        (json!({"class": "huge"}), 422, "class"),
        (json!({"gate_a": {"country": "XX", "name": "A"}}), 422, "gate_a.country"),
        (json!({"modes": ["air"]}), 422, "modes[0]"),
        (json!({"source": ""}), 422, "source"),
        (json!({"status_date": "2025-02-30"}), 422, "status_date"),
        (json!({"gate_a": {"country": "VN", "name": "A", "lat": 11.0}}), 422, "gate_a.lon"),
        (json!({"unexpected": 1}), 422, "unexpected"),
    ];
    for (patch, status, field) in bad_cases {
        let mut body = new.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        req(app.addr, "POST", "/api/v1/gate-pairs").bearer(&admin).json(&body).send().await.assert_problem(status, Some(field));
    }
    let mut missing = new.clone();
    missing.as_object_mut().unwrap().remove("source");
    req(app.addr, "POST", "/api/v1/gate-pairs").bearer(&admin).json(&missing).send().await.assert_problem(422, Some("source"));
    let r = req(app.addr, "POST", "/api/v1/gate-pairs").bearer(&admin).raw_json("{\"gate_a\": ").send().await;
    r.assert_problem(400, None);
    assert_eq!(app.count("gate_pairs").await, pairs_before, "nothing written by bad requests");

    let created = req(app.addr, "POST", "/api/v1/gate-pairs").bearer(&admin).json(&new).send().await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["id"], "cua-khau-thu--test-gate");
    // The same pair again is a conflict, not a duplicate.
    req(app.addr, "POST", "/api/v1/gate-pairs").bearer(&admin).json(&new).send().await.assert_problem(409, None);
    assert_eq!(app.count("gate_pairs").await, pairs_before + 1);
});

conformance!(status_changes_append_to_history_and_retired_pairs_stay, |app| {
    let admin = app.admin_token().await;
    let up = json!({"status": "upgraded", "status_date": "2026-01-15", "class": "international", "source": "test decision"});
    let r = req(app.addr, "PATCH", "/api/v1/gate-pairs/moc-bai--bavet").bearer(&admin).json(&up).send().await;
    assert_eq!(r.status, 200, "{}", r.body);
    let p = r.json();
    assert_eq!(p["status"], "upgraded");
    assert_eq!(p["status_since"], "2026-01-15");
    assert_eq!(p["history"].as_array().unwrap().len(), 2);
    req(app.addr, "PATCH", "/api/v1/gate-pairs/moc-bai--bavet").bearer(&admin).json(&json!({"source": "x"})).send().await.assert_problem(422, Some("body"));
    let retire = json!({"date": "2026-02", "note": "test", "source": "test"});
    let r = req(app.addr, "POST", "/api/v1/gate-pairs/moc-bai--bavet/retire").bearer(&admin).json(&retire).send().await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "retired");
    req(app.addr, "POST", "/api/v1/gate-pairs/moc-bai--bavet/retire").bearer(&admin).json(&retire).send().await.assert_problem(409, None);
    let retired = req(app.addr, "GET", "/api/v1/gate-pairs?status=retired").send().await.json();
    assert_eq!(retired["total"], 1);
    assert!(app.count("audit_log").await >= 3);
});

conformance!(importing_the_same_file_twice_adds_nothing, |app| {
    let parsed = cuakhau::registry::import::parse_csv(cuakhau::registry::GATES_CSV);
    let report = cuakhau::registry::store::import(&app.db, &parsed.rows, "test").await.unwrap();
    assert_eq!(report.added.len(), 0);
    assert_eq!(report.changed.len(), 0);
    assert_eq!(report.unchanged, 86);
    assert_eq!(app.count("gate_pairs").await, 86);
    // A changed row is reported as changed, with the field.
    let edited = String::from_utf8(cuakhau::registry::GATES_CSV.to_vec()).unwrap().replacen(",Cambodia,Bavet,Svay Rieng,international,", ",Cambodia,Bavet,Svay Rieng,main,", 1);
    let parsed = cuakhau::registry::import::parse_csv(edited.as_bytes());
    let report = cuakhau::registry::store::import(&app.db, &parsed.rows, "test").await.unwrap();
    assert_eq!(report.changed.len(), 1);
    assert_eq!(report.changed[0].1, "moc-bai--bavet");
    assert_eq!(report.changed[0].2, vec!["class".to_string()]);
});

conformance!(tokens_work_until_revoked, |app| {
    let token = app.user_token("vyvy", Role::Viewer, None, None, &[]).await;
    assert_eq!(req(app.addr, "GET", "/api/v1/me").bearer(&token).send().await.status, 200);
    let tokens = cuakhau::auth::store::list_tokens(&app.db, Some("vyvy")).await.unwrap();
    cuakhau::auth::store::revoke_token(&app.db, &tokens[0].id, "test").await.unwrap();
    req(app.addr, "GET", "/api/v1/me").bearer(&token).send().await.assert_problem(401, None);
    req(app.addr, "GET", "/api/v1/me").send().await.assert_problem(401, None);
});

conformance!(the_ui_signs_in_with_csrf_and_rate_limits_failures, |app| {
    app.user_token("lan", Role::Viewer, None, None, &[]).await;
    let form = req(app.addr, "GET", "/login").send().await;
    assert_eq!(form.status, 200);
    let cookie = form.headers_all("set-cookie").into_iter().find(|c| c.starts_with("cuakhau_login_csrf=")).unwrap().split(';').next().unwrap().to_string();
    let csrf = cookie.split('=').nth(1).unwrap().to_string();
    // Without the cookie the form token is refused.
    let r = req(app.addr, "POST", "/login").form(&[("username", "lan"), ("password", "a long enough password"), ("csrf", &csrf)]).send().await;
    assert_eq!(r.status, 403);
    // Wrong password: inline error, 401.
    let r = req(app.addr, "POST", "/login").header("cookie", &cookie).form(&[("username", "lan"), ("password", "wrong"), ("csrf", &csrf)]).send().await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("login-error"));
    // Right password: a session cookie, HttpOnly and SameSite.
    let r = req(app.addr, "POST", "/login").header("cookie", &cookie).form(&[("username", "lan"), ("password", "a long enough password"), ("csrf", &csrf)]).send().await;
    assert_eq!(r.status, 303, "{}", r.body);
    let session = r.headers_all("set-cookie").into_iter().find(|c| c.starts_with("cuakhau_session=")).unwrap().to_string();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    let session = session.split(';').next().unwrap().to_string();
    let page = req(app.addr, "GET", "/gates").header("cookie", &session).send().await;
    assert!(page.body.contains("lan"));
    // The session cookie does not authorise API writes.
    req(app.addr, "PATCH", "/api/v1/gates/vn-moc-bai").header("cookie", &session).json(&json!({"lanes": []})).send().await.assert_problem(401, None);
    // Logout needs the CSRF token.
    assert_eq!(req(app.addr, "POST", "/logout").header("cookie", &session).form(&[("csrf", "nope")]).send().await.status, 403);
    // Five failures, then the limit.
    for _ in 0..5 {
        req(app.addr, "POST", "/login").header("cookie", &cookie).form(&[("username", "lan"), ("password", "bad"), ("csrf", &csrf)]).send().await;
    }
    let r = req(app.addr, "POST", "/login").header("cookie", &cookie).form(&[("username", "lan"), ("password", "a long enough password"), ("csrf", &csrf)]).send().await;
    assert_eq!(r.status, 429);
});

conformance!(operations_endpoints_answer, |app| {
    assert_eq!(req(app.addr, "GET", "/healthz").send().await.status, 200);
    let ready = req(app.addr, "GET", "/readyz").send().await;
    assert_eq!(ready.status, 200);
    req(app.addr, "GET", "/api/v1/gate-pairs/moc-bai--bavet").send().await;
    let m = req(app.addr, "GET", "/metrics").send().await;
    assert!(m.body.contains("http_requests_total"), "{}", m.body);
    assert!(m.body.contains("route=\"/api/v1/gate-pairs/{id}\""), "metrics use the route template");
    assert!(!m.body.contains("route=\"/api/v1/gate-pairs/moc-bai--bavet\""));
    assert!(m.body.contains("http_request_duration_seconds_bucket"));
    req(app.addr, "GET", "/api/v1/nothing-here").send().await.assert_problem(404, None);
});

conformance!(pages_render_in_vietnamese_and_english, |app| {
    let vi = req(app.addr, "GET", "/gates?country=KH").send().await;
    assert_eq!(vi.status, 200);
    assert!(vi.body.contains("Mộc Bài") && vi.body.contains("Bavet"));
    assert!(vi.body.contains("Cặp cửa khẩu"));
    let en = req(app.addr, "GET", "/gates?country=KH&lang=en").send().await;
    assert!(en.body.contains("Gate pairs"));
    assert!(en.headers_all("set-cookie").iter().any(|c| c.starts_with("lang=en")));
    let bad = req(app.addr, "GET", "/gates?class=huge").send().await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("class=\"error\""));
    let pair = req(app.addr, "GET", "/pairs/tan-nam--meun-chey").send().await;
    assert_eq!(pair.status, 200);
    assert!(pair.body.contains("08/12/2025"), "dates as dd/mm/yyyy");
    let map = req(app.addr, "GET", "/map").send().await;
    assert_eq!(map.status, 200);
    assert!(map.body.contains("<svg") && map.body.contains("GeoNames"));
    assert!(map.body.contains("Quần đảo Hoàng Sa (Việt Nam)"));
    assert!(map.body.contains("Xa Mát"), "gates without coordinates are listed beside the map");
    assert_eq!(req(app.addr, "GET", "/pairs/nowhere").send().await.status, 404);
});

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = crate::harness::spawn_app(crate::harness::Backend::Sqlite).await.unwrap();
    let doc = req(app.addr, "GET", "/api/v1/openapi.json").send().await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/gate-pairs", "/api/v1/gate-pairs/{id}", "/api/v1/gate-pairs/{id}/retire", "/api/v1/gates/{id}", "/api/v1/me"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("Problem").is_some());
}

/// The OpenAPI document is snapshotted so every API change is a reviewed diff.
/// `UPDATE_SNAPSHOTS=1 cargo test` rewrites the snapshot.
#[test]
fn the_openapi_document_matches_its_snapshot() {
    use utoipa::OpenApi;
    let doc = serde_json::to_string_pretty(&cuakhau::http::openapi::ApiDoc::openapi()).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &doc).unwrap();
    }
    let snapshot = std::fs::read_to_string(path).unwrap_or_default();
    assert!(snapshot == doc, "the OpenAPI document changed; review and run UPDATE_SNAPSHOTS=1 cargo test to accept it");
}
