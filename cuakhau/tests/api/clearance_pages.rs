//! The clearance web UI end to end, on both backends, as a browser would drive it with
//! plain HTTP: sign in through `/login`, post the forms with the session's CSRF token,
//! follow the redirects. Trader: declare (with an inline error first), submit, book, see
//! the pass. Officer: the yard and the action buttons of their agency. Manager: the
//! dashboard with its SVG charts.

use cuakhau::auth::{Agency, Role};
use serde_json::json;

use crate::clearance::post_event;
use crate::client::{req, Res};
use crate::conformance;
use crate::harness::TestApp;

/// A signed-in browser: the session cookie and the session's CSRF token.
struct Web {
    addr: std::net::SocketAddr,
    cookie: String,
    csrf: String,
}

/// The value of the first `<input … name="NAME" value="…">` of a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no input {name} in the page")) + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

/// Signs in through the login form (with its own double-submit token) and lands on `next`.
async fn sign_in(app: &TestApp, username: &str, next: &str) -> Web {
    let form = req(app.addr, "GET", &format!("/login?next={next}")).send().await;
    assert_eq!(form.status, 200);
    let login_cookie = form.headers_all("set-cookie").into_iter().find(|c| c.starts_with("cuakhau_login_csrf=")).unwrap().split(';').next().unwrap().to_string();
    let login_csrf = hidden(&form.body, "csrf");
    let r = req(app.addr, "POST", "/login")
        .header("cookie", &login_cookie)
        .form(&[("username", username), ("password", "a long enough password"), ("csrf", &login_csrf), ("next", next)])
        .send()
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some(next));
    let cookie = r.headers_all("set-cookie").into_iter().find(|c| c.starts_with("cuakhau_session=")).unwrap().split(';').next().unwrap().to_string();
    let page = req(app.addr, "GET", next).header("cookie", &cookie).send().await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The logout form in the header carries the session's CSRF token.
    let csrf = hidden(&page.body, "csrf");
    Web { addr: app.addr, cookie, csrf }
}

impl Web {
    async fn get(&self, path: &str) -> Res {
        req(self.addr, "GET", path).header("cookie", &self.cookie).send().await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Res {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        req(self.addr, "POST", path).header("cookie", &self.cookie).form(&all).send().await
    }
}

fn tomorrow() -> time::Date {
    time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date().next_day().unwrap()
}

/// The declaration form as a trader fills it: durian and mangosteen from Cambodia.
fn durian_form(hs: &str) -> Vec<(String, String)> {
    let mut f: Vec<(&str, String)> = vec![
        ("pair_id", "moc-bai--bavet".into()),
        ("direction", "import".into()),
        ("rows", "2".into()),
        ("hs_0", hs.into()),
        ("description_0", "Sầu riêng tươi".into()),
        ("quantity_0", "12.000".into()),
        ("unit_0", "kg".into()),
        ("net_mass_0", "12000".into()),
        ("value_0", "30.000,00".into()),
        ("currency_0", "USD".into()),
        ("origin_0", "KH".into()),
        ("hs_1", "0804.50".into()),
        ("description_1", "Măng cụt".into()),
        ("quantity_1", "400".into()),
        ("unit_1", "carton".into()),
        ("net_mass_1", "4000".into()),
        ("value_1", "8000".into()),
        ("currency_1", "USD".into()),
        ("origin_1", "KH".into()),
        ("perishable_1", "1".into()),
        ("plate", "70C-246.80".into()),
        ("vehicle_country", "VN".into()),
        ("vehicle_type", "reefer".into()),
        ("axles", "3".into()),
        ("gross_mass", "26.000".into()),
        ("driver_name", "Lê Văn Cường".into()),
        ("driver_doc", "C7654321".into()),
        ("driver_nationality", "VN".into()),
        ("planned_arrival", format!("{}T08:00", tomorrow())),
        ("key", "0190f3a2-5b7c-7d8e-9f00-112233445566".into()),
    ];
    f.push(("action", "submit".into()));
    f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn as_pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn tomorrow_0800() -> String {
    format!("{}T08:00:00+07:00", tomorrow())
}

conformance!(a_trader_declares_through_the_form_submits_books_and_sees_the_pass, |app| {
    app.user_token("lan.trader", Role::Trader, None, Some("Công ty TNHH Trái cây Mộc Bài"), &[]).await;
    app.user_token("other.trader", Role::Trader, None, Some("Công ty khác"), &[]).await;
    // Pages need a session: the browser is sent to the login form, and back.
    let anonymous = req(app.addr, "GET", "/declarations/new").send().await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), Some("/login?next=%2Fdeclarations%2Fnew"));
    let expired = req(app.addr, "POST", "/declarations/D-1/submit").form(&[("csrf", "x")]).send().await;
    assert_eq!(expired.header("location"), Some("/login?next=%2Fdeclarations%2FD-1"), "a form post comes back to its page");
    let web = sign_in(&app, "lan.trader", "/declarations/new").await;
    let form = web.get("/declarations/new").await;
    assert!(form.body.contains("id=\"declaration-form\"") && form.body.contains("name=\"hs_1\""), "two goods lines to start with");
    assert!(form.body.contains("Mộc Bài – Bavet"), "gate pairs to choose from");

    // HS 7700 does not exist: the form comes back with the service's message by the field
    // and everything typed kept; nothing is written.
    let bad = durian_form("7700");
    let r = web.post("/declarations/new", &as_pairs(&bad)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"form-error\""), "{}", r.body);
    assert!(r.body.contains("chapter 77 does not exist"), "the service's reason is shown");
    assert!(r.body.contains("name=\"hs_0\" id=\"hs_0\" value=\"7700\"") && r.body.contains("aria-invalid=\"true\""));
    assert!(r.body.contains("value=\"Sầu riêng tươi\"") && r.body.contains("value=\"70C-246.80\"") && r.body.contains("value=\"Măng cụt\""));
    assert_eq!(app.count("declarations").await, 0);
    // A quantity that is not a number is named too.
    let mut words = durian_form("0810.60");
    words.iter_mut().find(|(k, _)| k == "quantity_1").unwrap().1 = "nhiều".into();
    let r = web.post("/declarations/new", &as_pairs(&words)).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("phải là số nguyên"), "Vietnamese by default");
    // One more goods line on request, the typed ones kept.
    let mut more = durian_form("7700");
    more.iter_mut().find(|(k, _)| k == "action").unwrap().1 = "add_line".into();
    let r = web.post("/declarations/new", &as_pairs(&more)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("name=\"hs_2\"") && r.body.contains("value=\"Măng cụt\""));
    // Without the session's CSRF token nothing happens.
    let forged = req(app.addr, "POST", "/declarations/new").header("cookie", &web.cookie).form(&as_pairs(&durian_form("0810.60"))).send().await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.count("declarations").await, 0);

    // A good declaration: submitted and assessed at once, then shown.
    let r = web.post("/declarations/new", &as_pairs(&durian_form("0810.60"))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_string();
    assert!(location.starts_with("/declarations/D-"), "{location}");
    let id = location.trim_start_matches("/declarations/").to_string();
    // Posting the same form again (a double click) is the same declaration.
    let again = web.post("/declarations/new", &as_pairs(&durian_form("0810.60"))).await;
    assert_eq!(again.header("location"), Some(location.as_str()));
    assert_eq!(app.count("declarations").await, 1);
    let page = web.get(&location).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Đã phân luồng"), "assessed");
    assert!(page.body.contains("id=\"lane\"") && page.body.contains("id=\"rules\""), "lane and the rules that fired");
    assert!(page.body.contains("0810.60"), "a reason names the HS code");
    assert!(page.body.contains("Kiểm dịch"), "durian needs quarantine");
    assert!(page.body.contains("30.000,00 USD"), "money in minor units, shown the Vietnamese way");
    assert!(page.body.contains("id=\"prediction\""));
    assert!(page.body.contains("id=\"booking-form\""), "an assessed declaration can be booked");
    // Another company's trader cannot see it.
    let other = sign_in(&app, "other.trader", "/declarations").await;
    assert!(!other.get("/declarations").await.body.contains(&id));
    assert_eq!(other.get(&location).await.status, 403);
    // Submitting twice is refused with the service's reason, inline.
    let r = web.post(&format!("{location}/submit"), &[]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("id=\"action-error\"") && r.body.contains("only a draft is submitted"));

    // Book tomorrow 08:00, the day of the planned arrival.
    let page = web.get(&location).await;
    assert!(page.body.contains(&format!("value=\"{}\"", tomorrow_0800())), "the 08:00 slot is offered");
    let r = web.post(&format!("{location}/booking"), &[("slot_start", "not a time")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"booking-error\"") && r.body.contains("RFC 3339"));
    let r = web.post(&format!("{location}/booking"), &[("slot_start", &tomorrow_0800())]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = web.get(&location).await;
    assert!(page.body.contains("Đã đặt lịch"), "booked");
    let img = page.body.split("src=\"/api/v1/passes/").nth(1).expect("the pass image").split('"').next().unwrap().to_string();
    assert!(img.starts_with("P-") && img.ends_with(".svg"), "{img}");
    assert!(page.body.contains("id=\"pass-token\""));
    let qr = web.get(&format!("/api/v1/passes/{img}")).await;
    assert_eq!(qr.status, 200);
    assert!(qr.body.contains("<svg"));
    // The timeline: draft → submitted → assessed → booked.
    let timeline = page.body.split("id=\"timeline\"").nth(1).unwrap().split("</ol>").next().unwrap().to_string();
    let order: Vec<usize> = ["Nháp", "Đã gửi", "Đã phân luồng", "Đã đặt lịch"].iter().map(|w| timeline.find(w).unwrap_or_else(|| panic!("{w} in the timeline"))).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // The list shows it with its status; the English page says so in English.
    let list = web.get("/declarations").await;
    assert!(list.body.contains(&id) && list.body.contains("70C-246.80"));
    let en = web.get(&format!("{location}?lang=en")).await;
    assert!(en.body.contains("Gate pass (QR code)") && en.body.contains("Status timeline"));
    // A cancelled declaration loses its booking.
    let r = web.post(&format!("{location}/cancel"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(web.get(&location).await.body.contains("Đã huỷ"));
});

struct Cast {
    trader: String,
}

async fn booked_durian(app: &TestApp, plate: &str) -> (Cast, String) {
    let trader = app.user_token("trader1", Role::Trader, None, Some("Công ty TNHH Nông sản Tây Ninh"), &[]).await;
    let r = req(app.addr, "POST", "/api/v1/declarations?submit=true").bearer(&trader).json(&crate::clearance::durian(plate)).send().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let b = req(app.addr, "POST", &format!("/api/v1/declarations/{id}/booking")).bearer(&trader).json(&json!({"slot_start": tomorrow_0800()})).send().await;
    assert_eq!(b.status, 201, "{}", b.body);
    (Cast { trader }, id)
}

conformance!(an_officer_sees_the_yard_and_posts_checks_of_their_agency, |app| {
    app.user_token("guard1", Role::Officer, Some(Agency::BorderGuard), None, &["vn-moc-bai"]).await;
    app.user_token("quar1", Role::Officer, Some(Agency::Quarantine), None, &["vn-moc-bai"]).await;
    app.user_token("customs1", Role::Officer, Some(Agency::Customs), None, &["vn-moc-bai"]).await;
    app.user_token("guard2", Role::Officer, Some(Agency::BorderGuard), None, &["vn-xa-mat"]).await;
    let (cast, id) = booked_durian(&app, "70C-123.45").await;
    let file = format!("/declarations/{id}");

    let guard = sign_in(&app, "guard1", "/gates/vn-moc-bai/yard").await;
    let yard = guard.get("/gates/vn-moc-bai/yard").await;
    assert!(yard.body.contains("id=\"lane-green\"") && yard.body.contains("id=\"lane-red\""), "every lane");
    let expected = yard.body.split("id=\"expected\"").nth(1).unwrap().to_string();
    assert!(expected.contains(&file) && expected.contains("70C-123.45"), "booked, not arrived yet");
    // The border guard's buttons only.
    let page = guard.get(&file).await;
    assert!(page.body.contains("id=\"post-arrived_yard\"") && page.body.contains("id=\"post-exited\""));
    assert!(!page.body.contains("post-quarantine_check") && !page.body.contains("post-document_check"));
    let arrived_id = page.body.split("id=\"action-arrived_yard\"").nth(1).map(|s| hidden(s, "id")).unwrap();
    let r = guard.post(&format!("{file}/events"), &[("id", &arrived_id), ("kind", "arrived_yard"), ("plate", "70c 12345")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The same form posted twice records one event.
    let r = guard.post(&format!("{file}/events"), &[("id", &arrived_id), ("kind", "arrived_yard"), ("plate", "70c 12345")]).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.count("checkpoint_events").await, 1);

    // In the yard now, in its lane, with its waiting time.
    let yard = guard.get("/gates/vn-moc-bai/yard").await;
    let lanes = yard.body.split("id=\"expected\"").next().unwrap().to_string();
    assert!(lanes.contains(&format!("href=\"{file}\"")), "{lanes}");
    assert!(lanes.contains("Đang chờ trong bãi") && lanes.contains("70C-123.45"));
    // Exit before the checks: rejected, with the fold's reason on the page.
    let page = guard.get(&file).await;
    let exit_id = page.body.split("id=\"action-exited\"").nth(1).map(|s| hidden(s, "id")).unwrap();
    let r = guard.post(&format!("{file}/events"), &[("id", &exit_id), ("kind", "exited")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("id=\"event-error\"") && r.body.contains("exited before every required check is ok"), "{}", r.body);
    assert_eq!(app.count("checkpoint_events").await, 1);

    // The quarantine officer sees the quarantine buttons and passes the check.
    let quar = sign_in(&app, "quar1", &file).await;
    let page = quar.get(&file).await;
    assert!(page.body.contains("id=\"post-quarantine_check-ok\"") && !page.body.contains("post-arrived_yard"));
    let qid = page.body.split("id=\"action-quarantine_check\"").nth(1).map(|s| hidden(s, "id")).unwrap();
    let r = quar.post(&format!("{file}/events"), &[("id", &qid), ("kind", "quarantine_check"), ("outcome", "ok")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = quar.get(&file).await;
    let events = page.body.split("id=\"events\"").nth(1).unwrap().split("</table>").next().unwrap().to_string();
    assert!(events.contains("Kiểm dịch") && events.contains("Đạt"), "{events}");
    // A kind of another agency, posted by hand, is refused by the service with its reason.
    let r = quar.post(&format!("{file}/events"), &[("id", "0190f3a2-5b7c-7d8e-9f00-aabbccddeeff"), ("kind", "fee_paid")]).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("fee_paid is posted by customs"), "{}", r.body);
    // A kind that does not exist is a readable error, not a crash.
    let r = quar.post(&format!("{file}/events"), &[("kind", "teleported")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("event-error"));

    // The trader follows it: arrival and the check in the timeline.
    let trader_page = req(app.addr, "GET", &format!("/api/v1/declarations/{id}")).bearer(&cast.trader).send().await.json();
    assert_eq!(trader_page["status"], "at_gate");

    // Scope: another gate's officer, and traders, are kept out.
    let far = sign_in(&app, "guard2", "/gates/vn-xa-mat/yard").await;
    assert_eq!(far.get(&file).await.status, 403);
    assert_eq!(far.get("/gates/vn-moc-bai/yard").await.status, 403);
    let r = far.post(&format!("{file}/events"), &[("kind", "exited")]).await;
    assert_eq!(r.status, 403);
    app.user_token("trader2", Role::Trader, None, Some("Công ty khác"), &[]).await;
    let t2 = sign_in(&app, "trader2", "/declarations").await;
    assert_eq!(t2.get("/gates/vn-moc-bai/yard").await.status, 403);
    assert_eq!(t2.post(&format!("{file}/events"), &[("kind", "exited")]).await.status, 403);
    assert_eq!(app.count("checkpoint_events").await, 2);
});

conformance!(the_dashboard_draws_throughput_and_clearance_times_as_svg, |app| {
    let guard = app.user_token("guard1", Role::Officer, Some(Agency::BorderGuard), None, &["vn-moc-bai"]).await;
    let customs = app.user_token("customs1", Role::Officer, Some(Agency::Customs), None, &["vn-moc-bai"]).await;
    let quarantine = app.user_token("quar1", Role::Officer, Some(Agency::Quarantine), None, &["vn-moc-bai"]).await;
    app.user_token("province", Role::Viewer, None, None, &[]).await;
    let (cast, id) = booked_durian(&app, "70C-123.45").await;
    let d = req(app.addr, "GET", &format!("/api/v1/declarations/{id}")).bearer(&cast.trader).send().await.json();
    post_event(&app, &guard, "a1", &id, "arrived_yard", None).await;
    for check in d["assessment"]["checks"].as_array().unwrap() {
        let (token, kind) = match check.as_str().unwrap() {
            "quarantine" => (&quarantine, "quarantine_check"),
            "document" => (&customs, "document_check"),
            "physical" => (&customs, "physical_inspection"),
            _ => (&customs, "xray_scan"),
        };
        let r = post_event(&app, token, &format!("c-{check}"), &id, kind, Some("ok")).await;
        assert_eq!(r["accepted"], true, "{r}");
    }
    post_event(&app, &customs, "f1", &id, "fee_paid", None).await;
    let exited = post_event(&app, &guard, "x1", &id, "exited", None).await;
    assert_eq!(exited["phase"], "exited", "{exited}");

    let web = sign_in(&app, "province", "/gates/vn-moc-bai/dashboard").await;
    let page = web.get("/gates/vn-moc-bai/dashboard").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("<svg").count(), 3, "three charts");
    assert_eq!(page.body.matches("class=\"chart\"").count(), 3);
    assert!(page.body.contains("viewBox=\"0 0 320 200\"") && page.body.contains("width=\"100%\""));
    assert!(page.body.contains("class=\"bar\""), "bars with data");
    assert!(page.body.contains("id=\"chart-times\""));
    let times = page.body.split("id=\"chart-times\"").nth(1).unwrap().split("</svg>").next().unwrap().to_string();
    assert!(times.contains("<circle"), "today's percentiles are drawn: {times}");
    let totals = page.body.split("id=\"totals\"").nth(1).unwrap().split("class=\"cards\"").next().unwrap().to_string();
    assert!(totals.contains("<b>1</b>"), "one vehicle exited: {totals}");
    let today = cuakhau::clearance::events::local_day((time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64);
    let one_day = web.get(&format!("/gates/vn-moc-bai/dashboard?from={today}&to={today}&lang=en")).await;
    assert_eq!(one_day.status, 200);
    assert!(one_day.body.contains("Clearance dashboard") && one_day.body.contains("Exits by hour of day"));
    // The pair page links managers to the dashboard of this node's gate.
    let pair = web.get("/pairs/moc-bai--bavet").await;
    assert!(pair.body.contains("href=\"/gates/vn-moc-bai/dashboard\"") && !pair.body.contains("/gates/kh-bavet/dashboard"));
    assert!(!req(app.addr, "GET", "/pairs/moc-bai--bavet").send().await.body.contains("/dashboard\""), "not for anonymous readers");
    // A bad period is an inline error, not a crash.
    let bad = web.get("/gates/vn-moc-bai/dashboard?from=2025-12-08&to=2025-12-01").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("id=\"dashboard-error\""));
    assert_eq!(web.get("/gates/vn-moc-bai/dashboard?from=soon").await.status, 400);
    assert_eq!(web.get("/gates/nowhere/dashboard").await.status, 404);
    // An empty period still draws its axes, saying there is no data.
    let empty = web.get("/gates/vn-moc-bai/dashboard?from=2025-01-01&to=2025-01-07").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Chưa có dữ liệu") && !empty.body.contains("class=\"bar\""));
    // Officers see their own gate's dashboard; traders none.
    let officer = sign_in(&app, "guard1", "/gates/vn-moc-bai/dashboard").await;
    assert_eq!(officer.get("/gates/vn-xa-mat/dashboard").await.status, 403);
    app.user_token("trader9", Role::Trader, None, Some("c"), &[]).await;
    let trader = sign_in(&app, "trader9", "/declarations").await;
    assert_eq!(trader.get("/gates/vn-moc-bai/dashboard").await.status, 403);
    // The header links the signed-in officer to the yard and the dashboard.
    let nav = officer.get("/gates").await;
    assert!(nav.body.contains("href=\"/gates/vn-moc-bai/yard\"") && nav.body.contains("href=\"/gates/vn-moc-bai/dashboard\""));
});
