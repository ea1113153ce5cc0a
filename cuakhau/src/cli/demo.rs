//! `cuakhau demo`: realistic days of goods traffic at a gate pair, through the service
//! layer, so that dashboards show real numbers.
//!
//! For each of the `--days` days ending yesterday (local time, UTC+7) the demo runs a
//! simulated clock ([`Now`]) through the same functions the HTTP API calls:
//! 1. the day before, between 08:00 and 20:00, traders of demo companies declare their
//!    trucks and submit them ([`service::create`], assessed by the node's risk rules) and
//!    book a slot ([`booking::book`], with its per-slot capacity, perishable places and
//!    per-company rate limit); a truck whose slot is full books the nearest later slot
//!    with a place, else the nearest earlier one;
//! 2. on the day, trucks arrive around their slot within the gate's opening hours (the
//!    time-of-day profile peaks 08:00–11:00), one in a hundred not at all; officers of the
//!    gate's border guard, customs and quarantine post what happens in the yard
//!    ([`events::record_batch`], one batch per agency and 5-minute tick): arrival, call
//!    forward (perishables first, with a recorded skip), the checks each assessment
//!    requires, fee and exit — mostly passing, a few held then passed, rarely refused;
//! 3. after the day, bookings of trucks that never came are released as no-shows
//!    ([`booking::release_no_shows`]).
//!
//! The traffic model (arrival profile, commodity mix with real HS codes, service times,
//! the yard) is [`crate::clearance::traffic`]. Everything random comes from `--seed`:
//! the same seed on a fresh database gives the same summary.
//!
//! What it sets up, idempotently: 40 demo companies with one trader each (facts.md §3.1:
//! about 40 enterprises cleared goods daily at Mộc Bài in 2020), and one officer per
//! agency scoped to the gate. Their passwords are random and never shown: they are not
//! meant to log in. Running the demo again skips the days that already have demo traffic
//! and says so; a larger `--days` adds the earlier days.
//!
//! Warm-up: the shipped risk rule `trader.new` document-checks (yellow lane) traders with
//! fewer than 3 finished declarations. The demo companies stand for established traders,
//! so when some have fewer, the demo first runs a warm-up day — the day before the first
//! simulated day — where each such company clears the trucks it lacks, through the same
//! path. Without it a fresh database's first day would be all yellow.
//!
//! Capacity: about 800 trucks a day need more booking places than the default
//! configuration's 12 per 30-minute slot; the demo books with its own slot capacity
//! (`--slot-capacity`, by default enough for the busiest slot of an average day, see
//! [`traffic::suggested_slot_capacity`]), keeping the node's share of places held for
//! perishables and its per-company booking limit. The slots it creates keep that
//! capacity; the node's configuration file is not changed.

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, RngCore};
use serde::Serialize;

use super::{table, Format};
use crate::auth::store::{self as accounts, CreateUserError, NewUser};
use crate::auth::{password, Agency, Principal, Role};
use crate::clearance::booking::{self, BookRequest};
use crate::clearance::declaration::{DeclarationBody, Driver, Line, Vehicle, VehicleType};
use crate::clearance::events::{self, EventBatch, EventIn};
use crate::clearance::fold::{EventKind, Outcome};
use crate::clearance::metrics::{self, Distribution};
use crate::clearance::model::{self, Currency, Direction, HsCode, Lane, Money, Now};
use crate::clearance::rules::RuleSet;
use crate::clearance::traffic::{self, ArrivalProfile, Commodity, CommodityMix, ControlPositions, ServiceTimes, Step, YardTruck, MINUTE_MS};
use crate::clearance::{keys, service};
use crate::config::{ClearanceConfig, Config};
use crate::db::{Db, StoreError};
use crate::http::error::ApiError;
use crate::registry::model::{CountryCode, Gate, GatePairDetail};

/// Options of `cuakhau demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Gate pair; this node is its Vietnamese side (see `cuakhau gates list`).
    #[arg(long, value_name = "ID", default_value = "moc-bai--bavet")]
    pub gate_pair: String,
    /// Days to simulate, ending yesterday (UTC+7): 1 to 366.
    #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true)]
    pub days: i64,
    /// Seed of every random draw: the same seed replays the same days.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Trucks a day, on average (±5 % from day to day); 1 to 20,000.
    #[arg(long, value_name = "N", default_value_t = 800, allow_negative_numbers = true)]
    pub vehicles: i64,
    /// Booking places per slot and direction [default: enough for the busiest slot of an
    /// average day, printed with the summary].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub slot_capacity: Option<i64>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Opening hours used when the registry has none for the gate: facts.md §3.1 reports that
/// customs at Mộc Bài worked 06:00–22:00 (Jan 2020); no other Vietnam–Cambodia gate's
/// hours were found (§3.8).
const FALLBACK_HOURS: (u32, u32) = (6 * 60, 22 * 60);
/// Demo companies (facts.md §3.1: about 40 enterprises a day at Mộc Bài, Jan 2020).
const COMPANIES: usize = 40;
/// Events are posted per agency every 5 minutes of simulated time.
const TICK_MS: i64 = 5 * MINUTE_MS;
/// Share of booked trucks that never come.
const NO_SHOW_RATE: f64 = 0.01;
/// Commodities whose smallest demo company has a poor record: inspections may refuse its
/// trucks, and after a first refusal the risk rules send all of them to the red lane.
const IRREGULAR: &[(&str, &[&str])] = &[("KH", &["maize", "sesame"]), ("CN", &["garlic", "herbs"])];
/// Finished declarations that make an established trader for the shipped rule
/// `trader.new` (`trader_declarations_below = 3`).
const ESTABLISHED: i64 = 3;

/// Runs `cuakhau demo`.
pub async fn run(config: Config, args: DemoArgs) -> anyhow::Result<ExitCode> {
    if !(1..=366).contains(&args.days) {
        bail!("--days: {} is not in 1..=366", args.days);
    }
    if !(1..=20_000).contains(&args.vehicles) {
        bail!("--vehicles: {} is not in 1..=20000", args.vehicles);
    }
    if let Some(c) = args.slot_capacity {
        if !(1..=10_000).contains(&c) {
            bail!("--slot-capacity: {c} is not in 1..=10000");
        }
    }
    let started = Instant::now();
    let rules = crate::clearance::load_rules(&config.clearance).map_err(anyhow::Error::msg)?;
    let db = super::open_db(&config).await?;
    let pair = match crate::registry::store::get_pair(&db, &args.gate_pair).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => bail!("no gate pair {:?} (see `cuakhau gates list`)", args.gate_pair),
        Err(e) => return Err(e.into()),
    };
    let s = &pair.summary;
    if !s.status.is_open() {
        bail!("gate pair {} is {}, not open for traffic", s.id, s.status);
    }
    if s.country_a != CountryCode::VN {
        bail!("gate pair {}: the demo runs on the Vietnamese side and side A is {}", s.id, s.country_a.as_str());
    }
    let Some(mix) = CommodityMix::for_partner(s.country_b.as_str()) else {
        bail!("no commodity mix for VN–{} gate pairs: facts.md lists trade goods with Cambodia and China only", s.country_b.as_str());
    };
    let gate = pair.gate_a_detail.id.clone();

    // Days: the N days ending yesterday, minus those that already have demo traffic.
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let mut days = Vec::new();
    let mut skipped = Vec::new();
    for back in (1..=args.days).rev() {
        let day = today - time::Duration::days(back);
        if demo_declarations(&db, &gate, &day.to_string(), &DayPlan::Sampled).await? > 0 {
            skipped.push(day.to_string());
        } else {
            days.push(day);
        }
    }

    // Booking capacity for the busiest slot of an average day.
    let slot_minutes = u32::try_from(config.clearance.slot_minutes).unwrap_or(30);
    let peak = (0..7)
        .filter_map(|d| opening_hours(&pair.gate_a_detail, weekday(d)).0)
        .filter_map(|(o, c)| ArrivalProfile::trucks(o, c).ok())
        .map(|p| p.peak_slot_share(slot_minutes))
        .fold(0.0, f64::max);
    let busiest_direction = mix.import_share.max(1.0 - mix.import_share);
    let capacity = args.slot_capacity.unwrap_or_else(|| traffic::suggested_slot_capacity(args.vehicles as u32, busiest_direction, peak));
    let node = &config.clearance;
    let reserved = ((capacity * node.perishable_reserved) as f64 / node.slot_capacity.max(1) as f64).round() as i64;
    let cfg = ClearanceConfig { slot_capacity: capacity, perishable_reserved: reserved.clamp(0, capacity), ..node.clone() };

    let mut summary = Summary {
        pair: s.id.clone(),
        gate: gate.clone(),
        seed: args.seed,
        vehicles_per_day: args.vehicles,
        slot_minutes: cfg.slot_minutes,
        slot_capacity: cfg.slot_capacity,
        perishable_reserved: cfg.perishable_reserved,
        company_bookings_per_hour: cfg.company_bookings_per_hour,
        companies: COMPANIES,
        commodity_mix: format!("VN–{}", mix.partner),
        opening_hours_from: opening_hours(&pair.gate_a_detail, time::Weekday::Monday).1,
        warmup: None,
        days: Vec::new(),
        skipped_days: skipped,
        lanes: Vec::new(),
        dashboard: None,
        rejected_events: 0,
    };
    if days.is_empty() {
        eprintln!("demo: every requested day already has demo traffic at {gate}; nothing to do (a larger --days adds earlier days)");
        print_summary(&summary, &pair, args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !summary.skipped_days.is_empty() {
        eprintln!("demo: skipping {} day(s) that already have demo traffic: {}", summary.skipped_days.len(), summary.skipped_days.join(", "));
    }
    eprintln!(
        "demo: {} – {}, gate {gate}: {} day(s) {} … {}, ~{} trucks a day, {} places per {}-minute slot and direction ({} for perishables only)",
        s.gate_a,
        s.gate_b.as_deref().unwrap_or("?"),
        days.len(),
        days[0],
        days[days.len() - 1],
        args.vehicles,
        cfg.slot_capacity,
        cfg.slot_minutes,
        cfg.perishable_reserved,
    );

    let cast = Cast::ensure(&db, &gate, mix).await?;
    let issuer = keys::active_issuer(&db).await?;
    let mut newcomers: Vec<usize> = Vec::new();
    for (i, c) in cast.companies.iter().enumerate() {
        let done = finished_declarations(&db, c.trader.company_id.as_deref().unwrap_or_default()).await?;
        newcomers.extend((done..ESTABLISHED).map(|_| i));
    }
    let ctx = Ctx {
        db: &db,
        rules: &rules,
        cfg: &cfg,
        issuer: &issuer,
        pair: &pair,
        gate: &gate,
        mix,
        cast: &cast,
        seed: args.seed,
        vehicles: args.vehicles as u32,
        times: ServiceTimes::default(),
    };
    let mut first_rejection: Option<String> = None;
    if !newcomers.is_empty() {
        let day = days[0] - time::Duration::days(1);
        let plan = DayPlan::Companies(newcomers);
        if demo_declarations(&db, &gate, &day.to_string(), &plan).await? > 0 {
            eprintln!("demo: warning: some demo companies have fewer than {ESTABLISHED} finished declarations, but {day} already had a warm-up: none now");
        } else {
            let t0 = Instant::now();
            let id_seed = traffic::day_rng(args.seed, &format!("{day}/ids")).next_u64();
            let (report, _) = model::with_seeded_ids(id_seed, simulate_day(&ctx, day, &plan)).await?;
            eprintln!(
                "demo: warm-up {day}: {} trucks of new demo companies ({ESTABLISHED} each, so the rule trader.new sees established traders), {} exited in {:.1} s",
                report.declared,
                report.exited,
                t0.elapsed().as_secs_f64()
            );
            summary.rejected_events += report.rejected_events;
            first_rejection.clone_from(&report.first_rejection);
            summary.warmup = Some(report);
        }
    }
    let mut lanes: BTreeMap<Lane, LaneTimes> = BTreeMap::new();
    for (n, day) in days.iter().enumerate() {
        let t0 = Instant::now();
        let id_seed = traffic::day_rng(args.seed, &format!("{day}/ids")).next_u64();
        let (report, day_lanes) = model::with_seeded_ids(id_seed, simulate_day(&ctx, *day, &DayPlan::Sampled)).await?;
        for (lane, t) in day_lanes {
            lanes.entry(lane).or_default().merge(t);
        }
        if first_rejection.is_none() {
            first_rejection.clone_from(&report.first_rejection);
        }
        summary.rejected_events += report.rejected_events;
        eprintln!(
            "demo: [{:>3}%] day {}/{} {}: {} declared, {} booked ({} in another slot), {} no-show(s), {} exited ({} refused), {} events in {:.1} s",
            (n + 1) * 100 / days.len(),
            n + 1,
            days.len(),
            report.day,
            report.declared,
            report.booked,
            report.other_slot,
            report.no_shows,
            report.exited,
            report.refused,
            report.events,
            t0.elapsed().as_secs_f64(),
        );
        summary.days.push(report);
    }
    let mut all = LaneTimes::default();
    for (lane, t) in lanes {
        all.merge(t.clone());
        summary.lanes.push(t.report(lane.as_str()));
    }
    summary.lanes.push(all.report("all"));
    let (from, to) = (days[0].to_string(), days[days.len() - 1].to_string());
    let m = metrics::gate_metrics(&db, &gate, &from, &to).await.map_err(api_error)?;
    summary.dashboard = Some(Dashboard { from, to, vehicles: m.total.clearance.count + m.total.refused, refused: m.total.refused, clearance: m.total.clearance, waiting: m.total.waiting });
    print_summary(&summary, &pair, args.format)?;
    eprintln!("demo: done in {:.1} s", started.elapsed().as_secs_f64());
    if summary.rejected_events > 0 {
        bail!(
            "{} checkpoint event(s) were rejected (first: {}); the demo's yard model disagrees with the platform's rules",
            summary.rejected_events,
            first_rejection.unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn api_error(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Validation(errors) => {
            anyhow::anyhow!("{}", errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn weekday(n: u8) -> time::Weekday {
    time::Weekday::Monday.nth_next(n)
}

/// Declarations the demo made at `gate` for local day `day` (`Sampled`: the day's
/// traffic; `Companies`: the warm-up).
async fn demo_declarations(db: &Db, gate: &str, day: &str, plan: &DayPlan) -> anyhow::Result<i64> {
    let prefix = idempotency_prefix(plan, gate, day).replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM declarations WHERE gate_id = $1 AND idempotency_key LIKE $2 ESCAPE '\\'")
        .bind(gate)
        .bind(format!("{prefix}%"))
        .fetch_one(&db.pool)
        .await
        .map_err(StoreError::from)?;
    Ok(n)
}

/// Cleared or refused declarations of a company (what the risk rules count).
async fn finished_declarations(db: &Db, company: &str) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM declarations WHERE company_id = $1 AND status IN ('cleared', 'refused')")
        .bind(company)
        .fetch_one(&db.pool)
        .await
        .map_err(StoreError::from)?;
    Ok(n)
}

/// Idempotency keys and event ids of the demo start with this; warm-up trucks have their
/// own, so a warm-up day can later be filled up to a full day.
fn idempotency_prefix(plan: &DayPlan, gate: &str, day: &str) -> String {
    match plan {
        DayPlan::Sampled => format!("demo:{gate}:{day}:"),
        DayPlan::Companies(_) => format!("demo-warmup:{gate}:{day}:"),
    }
}

/// The gate's hours on a weekday as minutes of the day, `None` when closed, and where
/// they come from.
fn opening_hours(gate: &Gate, day: time::Weekday) -> (Option<(u32, u32)>, &'static str) {
    if gate.opening_hours.is_empty() {
        return (Some(FALLBACK_HOURS), "06:00–22:00, Mộc Bài's customs hours (facts.md §3.1): the registry has none for this gate");
    }
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let idx = |d: &str| DAYS.iter().position(|x| *x == d);
    let today = day.number_days_from_monday() as usize;
    let covers = |days: &str| {
        let mut parts = days.split('-');
        match (parts.next().and_then(idx), parts.next().map(idx)) {
            (Some(a), None) => a == today,
            (Some(a), Some(Some(b))) if a <= b => (a..=b).contains(&today),
            (Some(a), Some(Some(b))) => today >= a || today <= b,
            _ => false,
        }
    };
    let minutes = |t: &str| -> Option<u32> {
        let (h, m) = t.split_once(':')?;
        Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
    };
    let goods = |note: &Option<String>| {
        note.as_deref().is_some_and(|n| {
            let n = n.to_lowercase();
            ["goods", "truck", "cargo", "hàng", "xe tải"].iter().any(|w| n.contains(w))
        })
    };
    let open: Vec<_> = gate.opening_hours.iter().filter(|h| covers(&h.days)).collect();
    let chosen = open.iter().find(|h| goods(&h.note)).or_else(|| open.first());
    match chosen.and_then(|h| Some((minutes(&h.opens)?, minutes(&h.closes)?))) {
        Some((o, c)) if o < 1440 && c <= 1440 => (Some((o, c)), "the registry"),
        _ => (None, "the registry"),
    }
}

/// The people the demo acts as.
struct Cast {
    guard: Principal,
    customs: Principal,
    quarantine: Principal,
    companies: Vec<DemoCompany>,
}

/// A demo company and its trader.
struct DemoCompany {
    /// The commodity it trades.
    commodity: &'static str,
    /// Relative weight among the companies of its commodity.
    weight: f64,
    /// Its trucks may be refused.
    irregular: bool,
    trader: Principal,
}

/// A company to create: username, company name, commodity, weight, irregular.
type CompanyPlan = (String, String, &'static str, f64, bool);

/// 40 companies shared among the commodities by their share of trucks (largest
/// remainder, at least one each); within a commodity the first company is the largest.
fn company_plan(mix: &CommodityMix) -> Vec<CompanyPlan> {
    let quotas: Vec<f64> = mix.commodities.iter().map(|c| mix.share(c) * COMPANIES as f64).collect();
    let mut n: Vec<usize> = quotas.iter().map(|q| (q.floor() as usize).max(1)).collect();
    let mut by_remainder: Vec<usize> = (0..n.len()).collect();
    by_remainder.sort_by(|&a, &b| (quotas[b] - quotas[b].floor()).total_cmp(&(quotas[a] - quotas[a].floor())).then(a.cmp(&b)));
    let mut total: usize = n.iter().sum();
    for &i in by_remainder.iter().cycle().take(4 * n.len()) {
        if total == COMPANIES {
            break;
        }
        if total < COMPANIES {
            n[i] += 1;
            total += 1;
        } else if n[i] > 1 {
            n[i] -= 1;
            total -= 1;
        }
    }
    let irregular: &[&str] = IRREGULAR.iter().find(|(p, _)| *p == mix.partner).map_or(&[], |(_, k)| k);
    let partner = mix.partner.to_lowercase();
    let mut plan = Vec::new();
    for (c, count) in mix.commodities.iter().zip(n) {
        let goods = c.description.split(" / ").next().unwrap_or(c.description);
        let direction = match c.direction {
            Direction::Export => "xuất khẩu",
            Direction::Import => "nhập khẩu",
        };
        for j in 0..count {
            let k = plan.len() + 1;
            plan.push((
                format!("demo-{partner}-trader-{k:02}"),
                format!("Công ty demo {}-{k:02} – {goods} ({direction})", mix.partner),
                c.key,
                1.0 / (j as f64 + 1.0),
                irregular.contains(&c.key) && j + 1 == count,
            ));
        }
    }
    plan
}

impl Cast {
    /// Creates what is missing (companies, traders, officers) and signs everyone in.
    async fn ensure(db: &Db, gate: &str, mix: &CommodityMix) -> anyhow::Result<Cast> {
        let existing: HashSet<String> = accounts::list_users(db).await?.into_iter().map(|u| u.username).collect();
        let mut created = 0;
        let mut create = |new: NewUser| {
            let missing = !existing.contains(&new.username);
            created += usize::from(missing);
            async move {
                if missing {
                    accounts::create_user(db, &new, "demo").await.map_err(|e| match e {
                        CreateUserError::Invalid((f, m)) => anyhow::anyhow!("demo user {}: {f}: {m}", new.username),
                        CreateUserError::Store(s) => anyhow::anyhow!(s),
                    })?;
                }
                signed_in(db, &new.username).await
            }
        };
        let officer = |who: &str, agency: Agency| NewUser {
            username: format!("demo-{who}-{gate}"),
            password: password::random_password(),
            role: Some(Role::Officer),
            agency: Some(agency),
            company: None,
            gates: vec![gate.to_string()],
        };
        let guard = create(officer("guard", Agency::BorderGuard)).await?;
        let customs = create(officer("customs", Agency::Customs)).await?;
        let quarantine = create(officer("quarantine", Agency::Quarantine)).await?;
        let mut companies = Vec::new();
        for (username, company, commodity, weight, irregular) in company_plan(mix) {
            let new = NewUser { username, password: password::random_password(), role: Some(Role::Trader), company: Some(company), ..NewUser::default() };
            companies.push(DemoCompany { commodity, weight, irregular, trader: create(new).await? });
        }
        if created > 0 {
            eprintln!("demo: created {created} demo account(s) (companies' traders and the gate's officers; random passwords, not shown)");
        }
        Ok(Cast { guard, customs, quarantine, companies })
    }

    fn company_for(&self, commodity: &str, rng: &mut StdRng) -> Option<&DemoCompany> {
        let of: Vec<&DemoCompany> = self.companies.iter().filter(|c| c.commodity == commodity).collect();
        let total: f64 = of.iter().map(|c| c.weight).sum();
        let mut u = rng.random_range(0.0..1.0) * total;
        for c in &of {
            if u < c.weight {
                return Some(c);
            }
            u -= c.weight;
        }
        of.last().copied()
    }

    fn officer(&self, phase: u8) -> &Principal {
        match phase {
            1 => &self.customs,
            2 => &self.quarantine,
            _ => &self.guard,
        }
    }
}

/// The principal of a demo user, through the token functions the API uses (a token is
/// made, resolved and revoked at once).
async fn signed_in(db: &Db, username: &str) -> anyhow::Result<Principal> {
    let (info, secret) = accounts::create_token(db, username, "demo", "demo").await?;
    let p = accounts::principal_for_token(db, &secret).await?;
    accounts::revoke_token(db, &info.id, "demo").await?;
    p.with_context(|| format!("demo user {username} is disabled"))
}

/// What a simulated day needs.
struct Ctx<'a> {
    db: &'a Db,
    rules: &'a RuleSet,
    cfg: &'a ClearanceConfig,
    issuer: &'a gatepass::Issuer,
    pair: &'a GatePairDetail,
    gate: &'a str,
    mix: &'static CommodityMix,
    cast: &'a Cast,
    seed: u64,
    vehicles: u32,
    times: ServiceTimes,
}

/// Which trucks a day has.
enum DayPlan {
    /// About `--vehicles`, commodities drawn from the mix.
    Sampled,
    /// One truck for each company index listed (the warm-up).
    Companies(Vec<usize>),
}

/// A truck of the day, once declared.
struct Planned {
    declaration: String,
    plate: String,
    driver_doc: String,
    direction: Direction,
    lane: Lane,
    checks: Vec<model::Check>,
    perishable: bool,
    irregular: bool,
    /// Booked slot start (unix s), if a place was found.
    slot: Option<i64>,
}

/// Free places of the day's slots as the demo books them: (free general, free perishable).
struct Places {
    free: BTreeMap<(Direction, i64), (i64, i64)>,
}

impl Places {
    async fn load(ctx: &Ctx<'_>, midnight_s: i64) -> anyhow::Result<Places> {
        let mut free = BTreeMap::new();
        for d in [Direction::Import, Direction::Export] {
            for s in booking::slots(ctx.db, ctx.cfg, ctx.gate, d.as_str(), midnight_s).await.map_err(api_error)? {
                free.insert((d, s.start), (s.free_general, s.free_perishable));
            }
        }
        Ok(Places { free })
    }

    fn has(&self, d: Direction, start: i64, perishable: bool) -> bool {
        self.free.get(&(d, start)).is_some_and(|(g, p)| if perishable { *p > 0 } else { *g > 0 })
    }

    fn take(&mut self, d: Direction, start: i64, perishable: bool) {
        if let Some((g, p)) = self.free.get_mut(&(d, start)) {
            *p -= 1;
            *g = if perishable { (*g).min(*p) } else { *g - 1 };
        }
    }

    fn full(&mut self, d: Direction, start: i64) {
        self.free.insert((d, start), (0, 0));
    }
}

/// One simulated day.
async fn simulate_day(ctx: &Ctx<'_>, day: time::Date, plan: &DayPlan) -> anyhow::Result<(DayReport, BTreeMap<Lane, LaneTimes>)> {
    let day_text = day.to_string();
    let mut rng = traffic::day_rng(ctx.seed, &day_text);
    let midnight_s = day.midnight().assume_offset(time::macros::offset!(+7)).unix_timestamp();
    let midnight_ms = midnight_s * 1000;
    let (hours, _) = opening_hours(&ctx.pair.gate_a_detail, day.weekday());
    let mut report = DayReport { day: day_text.clone(), ..DayReport::default() };
    let Some((opens, closes)) = hours else {
        return Ok((report, BTreeMap::new()));
    };
    report.opening_hours = Some(format!("{:02}:{:02}–{:02}:{:02}", opens / 60, opens % 60, closes / 60 % 24, closes % 60));
    let profile = ArrivalProfile::trucks(opens, closes).map_err(anyhow::Error::msg)?;
    let n = match plan {
        DayPlan::Sampled => {
            // A warm-up day filled up later keeps about `--vehicles` trucks in all.
            let warmup = demo_declarations(ctx.db, ctx.gate, &day_text, &DayPlan::Companies(Vec::new())).await?;
            let target = (f64::from(ctx.vehicles) * rng.random_range(0.95..1.05)).round() as i64;
            (target - warmup).max(1) as usize
        }
        DayPlan::Companies(list) => list.len(),
    };
    let step_s = ctx.cfg.slot_minutes_secs();
    let partner = CountryCode::parse(ctx.mix.partner).map_err(anyhow::Error::msg)?;

    // 1. The day before, 08:00–20:00: declare, submit, book.
    let mut created: Vec<i64> = (0..n).map(|_| midnight_ms - 16 * 3_600_000 + rng.random_range(0..12 * 3_600_000)).collect();
    created.sort_unstable();
    let mut places = Places::load(ctx, midnight_s).await?;
    let slot_starts: Vec<i64> = (0..86_400 / step_s).map(|k| midnight_s + k * step_s).filter(|s| profile.is_open(((s - midnight_s) / 60) as u32)).collect();
    let mut planned: Vec<Planned> = Vec::with_capacity(n);
    for (i, at) in created.iter().copied().enumerate() {
        let (commodity, company) = match plan {
            DayPlan::Sampled => {
                let commodity = ctx.mix.sample(&mut rng);
                let Some(company) = ctx.cast.company_for(commodity.key, &mut rng) else { continue };
                (commodity, company)
            }
            DayPlan::Companies(list) => {
                let company = &ctx.cast.companies[list[i]];
                let Some(commodity) = ctx.mix.commodities.iter().find(|c| c.key == company.commodity) else { continue };
                (commodity, company)
            }
        };
        let minute = i64::from(profile.sample_minute(&mut rng));
        let wanted = midnight_s + (minute * 60).div_euclid(step_s) * step_s;
        let body = declaration_body(ctx, commodity, partner, wanted, &mut rng)?;
        let key = format!("{}{i:04}", idempotency_prefix(plan, ctx.gate, &day_text));
        let (view, _) = service::create(ctx.db, ctx.rules, &company.trader, &body, Some(&key), true, Now(at))
            .await
            .map_err(api_error)
            .with_context(|| format!("declaring truck {i} of {day_text}"))?;
        report.declared += 1;
        let assessment = view.assessment.as_ref().context("a submitted declaration is assessed")?;
        let mut truck = Planned {
            declaration: view.id.clone(),
            plate: body.vehicle.plate.clone(),
            driver_doc: body.driver.document_number.clone(),
            direction: body.direction,
            lane: assessment.lane,
            checks: assessment.checks.clone(),
            perishable: view.perishable,
            irregular: company.irregular,
            slot: None,
        };
        // The wanted slot, else the nearest later one with a place, else the nearest earlier.
        let later = slot_starts.iter().copied().filter(|s| *s >= wanted);
        let earlier = slot_starts.iter().copied().filter(|s| *s < wanted).rev();
        for start in later.chain(earlier) {
            if !places.has(truck.direction, start, truck.perishable) {
                continue;
            }
            let req = BookRequest { slot_start: local_rfc3339(start) };
            match booking::book(ctx.db, ctx.cfg, ctx.issuer, &company.trader, &view.id, &req, Now(at + MINUTE_MS)).await {
                Ok(_) => {
                    places.take(truck.direction, start, truck.perishable);
                    truck.slot = Some(start);
                    break;
                }
                Err(ApiError::Conflict(m)) if m.contains("slot is full") => places.full(truck.direction, start),
                Err(ApiError::TooManyRequests(_)) => {
                    report.rate_limited += 1;
                    break;
                }
                Err(e) => return Err(api_error(e)).with_context(|| format!("booking {}", view.id)),
            }
        }
        match truck.slot {
            Some(s) => {
                report.booked += 1;
                report.other_slot += usize::from(s != wanted);
            }
            None => report.unbooked += 1,
        }
        planned.push(truck);
    }

    // 2. The day: arrivals around the booked slot, within opening hours; the yard.
    let open_ms = midnight_ms + i64::from(opens) * MINUTE_MS;
    let mut trucks: Vec<YardTruck> = Vec::new();
    let mut who: Vec<usize> = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let Some(slot) = p.slot else { continue };
        if matches!(plan, DayPlan::Sampled) && rng.random_bool(NO_SHOW_RATE) {
            continue;
        }
        let mut arrival = slot * 1000 + rng.random_range(-10 * MINUTE_MS..40 * MINUTE_MS);
        if arrival < open_ms && slot * 1000 >= open_ms {
            arrival = open_ms + rng.random_range(0..5 * MINUTE_MS);
        }
        trucks.push(YardTruck { lane: p.lane, checks: p.checks.clone(), perishable: p.perishable, arrival_ms: arrival, may_be_refused: p.irregular });
        who.push(i);
    }
    let open_minutes = match opens.cmp(&closes) {
        std::cmp::Ordering::Less => closes - opens,
        std::cmp::Ordering::Greater => 1440 - opens + closes,
        std::cmp::Ordering::Equal => 1440,
    };
    let positions = ControlPositions::for_workload(&trucks, &ctx.times, open_minutes);
    let steps = traffic::simulate_yard(&trucks, &positions, &ctx.times, &mut rng);
    report.arrived = trucks.len();

    // Events by tick and agency: the border guard's arrivals and calls, customs, quarantine,
    // then the border guard's exits — so a truck's events reach the platform in order.
    let mut posts: Vec<(i64, u8, i64, usize, usize, EventIn)> = Vec::new();
    for (t, truck_steps) in steps.iter().enumerate() {
        let p = &planned[who[t]];
        for (k, s) in truck_steps.iter().enumerate() {
            let tick = (s.at_ms - 1).div_euclid(TICK_MS);
            let id = format!("{}{:04}:{k}", idempotency_prefix(plan, ctx.gate, &day_text), who[t]);
            posts.push((tick, phase(s.kind), s.at_ms, t, k, event_in(id, p, s)));
        }
    }
    posts.sort_by_key(|(tick, phase, at, t, k, _)| (*tick, *phase, *at, *t, *k));
    let mut start = 0;
    while start < posts.len() {
        let (tick, phase) = (posts[start].0, posts[start].1);
        let end = (start..posts.len()).find(|&j| (posts[j].0, posts[j].1) != (tick, phase) || j - start == 1000).unwrap_or(posts.len());
        let batch = EventBatch { events: posts[start..end].iter().map(|p| p.5.clone()).collect() };
        let results = events::record_batch(ctx.db, ctx.cast.officer(phase), ctx.gate, &batch, Now((tick + 1) * TICK_MS)).await.map_err(api_error)?;
        for r in results {
            if r.accepted {
                report.events += 1;
            } else {
                report.rejected_events += 1;
                if report.first_rejection.is_none() {
                    report.first_rejection = Some(format!("{}: {}", r.id, r.reason.unwrap_or_default()));
                }
            }
        }
        start = end;
    }

    // 3. After the day: no-shows.
    report.no_shows = booking::release_no_shows(ctx.db, ctx.cfg, Now(midnight_ms + 26 * 3_600_000)).await.map_err(api_error)?;

    let mut lanes: BTreeMap<Lane, LaneTimes> = BTreeMap::new();
    for (t, s) in steps.iter().enumerate() {
        let arrived = s.first().map_or(0, |s| s.at_ms);
        let Some(exited) = s.iter().rev().find(|s| s.kind == EventKind::Exited).map(|s| s.at_ms) else { continue };
        let refused = s.iter().any(|s| s.outcome == Some(Outcome::Refuse));
        let first_check = s.iter().find(|s| s.kind.check().is_some()).map(|s| s.at_ms);
        let l = lanes.entry(trucks[t].lane).or_default();
        report.exited += 1;
        if refused {
            l.refused += 1;
            report.refused += 1;
        } else {
            l.clearance.push(exited - arrived);
        }
        if let Some(f) = first_check {
            l.waiting.push(f - arrived);
        }
    }
    let m = metrics::gate_metrics(ctx.db, ctx.gate, &day_text, &day_text).await.map_err(api_error)?;
    report.cleared = m.total.clearance.count;
    report.clearance = m.total.clearance;
    report.waiting = m.total.waiting;
    Ok((report, lanes))
}

/// The tick phase of an event kind: 0 border guard (arrivals, calls), 1 customs,
/// 2 quarantine, 3 border guard (exits).
fn phase(kind: EventKind) -> u8 {
    match kind {
        EventKind::ArrivedYard | EventKind::CalledForward => 0,
        EventKind::DocumentCheck | EventKind::PhysicalInspection | EventKind::XrayScan | EventKind::FeePaid => 1,
        EventKind::QuarantineCheck => 2,
        EventKind::Exited => 3,
    }
}

fn event_in(id: String, p: &Planned, s: &Step) -> EventIn {
    let arrival = s.kind == EventKind::ArrivedYard;
    EventIn {
        id,
        declaration: p.declaration.clone(),
        kind: s.kind,
        outcome: s.outcome,
        at: Some(utc_rfc3339_ms(s.at_ms)),
        plate: arrival.then(|| p.plate.clone()),
        driver_doc: arrival.then(|| p.driver_doc.clone()),
        skip_reason: s.skip_reason,
    }
}

/// `2026-11-24T01:30:00.123Z`.
fn utc_rfc3339_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `2026-11-24T08:30:00+07:00`.
fn local_rfc3339(s: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).to_offset(time::macros::offset!(+7));
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// A declaration for one truck of `commodity` planned for the slot starting `slot_s`.
fn declaration_body(ctx: &Ctx<'_>, commodity: &Commodity, partner: CountryCode, slot_s: i64, rng: &mut StdRng) -> anyhow::Result<DeclarationBody> {
    let load = commodity.load(rng);
    let (origin, foreign_truck) = match commodity.direction {
        Direction::Import => (partner, rng.random_bool(0.55)),
        Direction::Export => (CountryCode::VN, rng.random_bool(0.3)),
    };
    let country = if foreign_truck { partner } else { CountryCode::VN };
    let tare = match commodity.vehicle {
        VehicleType::Container => rng.random_range(12_000..15_000),
        VehicleType::Van => rng.random_range(2_500..3_500),
        _ => rng.random_range(10_000..14_000),
    };
    let gross = (load.net_mass_kg + tare).min(60_000);
    let axles = match gross {
        ..=16_000 => 2,
        16_001..=24_000 => 3,
        24_001..=34_000 => 4,
        _ => 5,
    };
    Ok(DeclarationBody {
        pair_id: ctx.pair.summary.id.clone(),
        direction: commodity.direction,
        lines: vec![Line {
            hs: HsCode::parse(commodity.hs).map_err(anyhow::Error::msg)?,
            description: commodity.description.to_string(),
            quantity: load.quantity,
            unit: commodity.unit,
            net_mass_kg: load.net_mass_kg,
            value: Money { minor: load.value_usd_cents, currency: Currency::parse("USD").map_err(anyhow::Error::msg)? },
            origin,
            perishable: false,
        }],
        vehicle: Vehicle { plate: plate(country, rng), country, kind: commodity.vehicle, axles, gross_mass_kg: gross },
        driver: driver(country, rng),
        planned_arrival: local_rfc3339(slot_s),
    })
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A plausible registration plate of `country`.
fn plate(country: CountryCode, rng: &mut StdRng) -> String {
    let letter = char::from(b'A' + rng.random_range(0..26u8));
    match country.as_str() {
        "KH" => format!("{} {}{letter}-{:04}", pick(rng, &["PP", "SVR", "KPC", "BTB", "KDL"]), rng.random_range(1..10), rng.random_range(0..10_000)),
        "CN" => format!("桂{letter}-{:05}", rng.random_range(0..100_000)),
        // Tây Ninh (70), Hồ Chí Minh City (51), Long An (62), Bình Dương (61).
        _ => format!("{}-{:03}.{:02}", pick(rng, &["70C", "70H", "51C", "51D", "62C", "61C"]), rng.random_range(0..1000), rng.random_range(0..100)),
    }
}

/// A driver from `country` with a passport number.
fn driver(country: CountryCode, rng: &mut StdRng) -> Driver {
    let (name, document_number) = match country.as_str() {
        "KH" => (
            format!("{} {}", pick(rng, &["Sok", "Chea", "Kim", "Heng", "Meas", "Chan", "Sorn", "Pich"]), pick(rng, &["Dara", "Sophea", "Vuthy", "Rithy", "Sokha", "Piseth", "Vanna", "Sreymom"])),
            format!("N{:08}", rng.random_range(0..100_000_000)),
        ),
        "CN" => (
            format!("{} {}", pick(rng, &["Wang", "Li", "Zhang", "Liu", "Huang", "Lu"]), pick(rng, &["Wei", "Fang", "Jun", "Lei", "Qiang", "Min"])),
            format!("E{:08}", rng.random_range(0..100_000_000)),
        ),
        _ => (
            format!(
                "{} {} {}",
                pick(rng, &["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]),
                pick(rng, &["Văn", "Thị", "Minh", "Hữu", "Thanh", "Đức"]),
                pick(rng, &["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Lộc", "Phúc", "Sơn", "Tâm", "Thảo", "Trung"])
            ),
            format!("C{:07}", rng.random_range(0..10_000_000)),
        ),
    };
    Driver { name, document_number, nationality: country }
}

// ── Summary ─────────────────────────────────────────────────────────────────────────

/// What a demo run did.
#[derive(Debug, Serialize)]
struct Summary {
    pair: String,
    gate: String,
    seed: u64,
    vehicles_per_day: i64,
    slot_minutes: i64,
    slot_capacity: i64,
    perishable_reserved: i64,
    company_bookings_per_hour: i64,
    companies: usize,
    commodity_mix: String,
    /// Where the opening hours come from.
    opening_hours_from: &'static str,
    /// The warm-up day, when one was needed.
    warmup: Option<DayReport>,
    days: Vec<DayReport>,
    /// Days left alone: they already had demo traffic.
    skipped_days: Vec<String>,
    /// By lane, over the simulated days, from the events the demo posted.
    lanes: Vec<LaneReport>,
    /// The gate's clearance metrics (what the dashboard shows) over the simulated days.
    dashboard: Option<Dashboard>,
    rejected_events: usize,
}

/// One simulated day.
#[derive(Debug, Default, Serialize)]
struct DayReport {
    day: String,
    /// Local hours the gate was open (`None`: closed that day).
    opening_hours: Option<String>,
    declared: usize,
    booked: usize,
    /// Booked in another slot than the one wanted (it was full).
    other_slot: usize,
    /// No slot with a place that day.
    unbooked: usize,
    /// Bookings refused by the per-company rate limit.
    rate_limited: usize,
    no_shows: usize,
    arrived: usize,
    exited: usize,
    cleared: usize,
    refused: usize,
    events: usize,
    rejected_events: usize,
    #[serde(skip)]
    first_rejection: Option<String>,
    /// Clearance time of the day's cleared trucks (gate metrics).
    clearance: Distribution,
    /// Waiting time before the first check (gate metrics).
    waiting: Distribution,
}

/// Clearance facts of one lane.
#[derive(Debug, Default, Clone)]
struct LaneTimes {
    clearance: Vec<i64>,
    waiting: Vec<i64>,
    refused: usize,
}

impl LaneTimes {
    fn merge(&mut self, other: LaneTimes) {
        self.clearance.extend(other.clearance);
        self.waiting.extend(other.waiting);
        self.refused += other.refused;
    }

    fn report(self, lane: &str) -> LaneReport {
        LaneReport {
            lane: lane.into(),
            exited: self.clearance.len() + self.refused,
            refused: self.refused,
            clearance: Distribution::of(self.clearance),
            waiting: Distribution::of(self.waiting),
        }
    }
}

/// One lane over the simulated days.
#[derive(Debug, Serialize)]
struct LaneReport {
    lane: String,
    exited: usize,
    refused: usize,
    clearance: Distribution,
    waiting: Distribution,
}

/// `metrics::gate_metrics` from the first to the last simulated day (what the dashboard
/// shows for that range, including any other traffic at the gate on those days).
#[derive(Debug, Serialize)]
struct Dashboard {
    from: String,
    to: String,
    vehicles: usize,
    refused: usize,
    clearance: Distribution,
    waiting: Distribution,
}

fn minutes(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |m| format!("{m:.1}"))
}

fn print_summary(s: &Summary, pair: &GatePairDetail, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    let p = &pair.summary;
    println!("Demo traffic at {} – {} ({}), gate {}, seed {}", p.gate_a, p.gate_b.as_deref().unwrap_or("?"), s.pair, s.gate, s.seed);
    println!(
        "~{} trucks a day, commodity mix {}; {} demo companies, at most {} bookings an hour each; {} places per {}-minute slot and direction, {} of them for perishables only",
        s.vehicles_per_day, s.commodity_mix, s.companies, s.company_bookings_per_hour, s.slot_capacity, s.slot_minutes, s.perishable_reserved
    );
    println!("opening hours from {}", s.opening_hours_from);
    if !s.skipped_days.is_empty() {
        println!("skipped (already had demo traffic): {}", s.skipped_days.join(", "));
    }
    if let Some(w) = &s.warmup {
        println!(
            "warm-up {}: {} trucks of new demo companies ({ESTABLISHED} each: the rule trader.new document-checks traders with fewer), {} exited",
            w.day, w.declared, w.exited
        );
    }
    if s.days.is_empty() {
        println!("nothing simulated");
        return Ok(());
    }
    println!();
    let rows: Vec<Vec<String>> = s
        .days
        .iter()
        .map(|d| {
            vec![
                d.day.clone(),
                d.opening_hours.clone().unwrap_or_else(|| "closed".into()),
                d.declared.to_string(),
                d.booked.to_string(),
                d.other_slot.to_string(),
                d.no_shows.to_string(),
                d.exited.to_string(),
                d.refused.to_string(),
                d.events.to_string(),
                minutes(d.clearance.p50_min),
                minutes(d.clearance.p90_min),
                minutes(d.waiting.p90_min),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(&["day", "open", "declared", "booked", "other slot", "no-show", "exited", "refused", "events", "p50 min", "p90 min", "wait p90"], &rows)
    );
    println!();
    let rows: Vec<Vec<String>> = s
        .lanes
        .iter()
        .map(|l| {
            vec![
                l.lane.clone(),
                l.exited.to_string(),
                l.refused.to_string(),
                minutes(l.clearance.p50_min),
                minutes(l.clearance.p90_min),
                minutes(l.waiting.p50_min),
                minutes(l.waiting.p90_min),
            ]
        })
        .collect();
    print!("{}", table::render(&["lane", "exited", "refused", "clearance p50 min", "p90 min", "waiting p50 min", "p90 min"], &rows));
    if let Some(d) = &s.dashboard {
        println!();
        println!(
            "gate metrics {} … {} (GET /api/v1/gates/{}/metrics?from={}&to={}): {} trucks, {} refused, clearance p50 {} min, p90 {} min",
            d.from,
            d.to,
            s.gate,
            d.from,
            d.to,
            d.vehicles,
            d.refused,
            minutes(d.clearance.p50_min),
            minutes(d.clearance.p90_min)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clearance::traffic::{VN_CN, VN_KH};

    #[test]
    fn forty_companies_cover_every_commodity_and_two_are_irregular() {
        for mix in [&VN_KH, &VN_CN] {
            let plan = company_plan(mix);
            assert_eq!(plan.len(), COMPANIES, "{}", mix.partner);
            for c in mix.commodities {
                assert!(plan.iter().any(|p| p.2 == c.key), "{} has a company", c.key);
            }
            assert_eq!(plan.iter().filter(|p| p.4).count(), 2);
            let names: HashSet<&str> = plan.iter().map(|p| p.1.as_str()).collect();
            assert_eq!(names.len(), COMPANIES);
            for (username, ..) in &plan {
                assert!(username.len() <= 64);
            }
        }
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(utc_rfc3339_ms(1_764_550_800_123), "2025-12-01T01:00:00.123Z");
        assert_eq!(local_rfc3339(1_764_550_800), "2025-12-01T08:00:00+07:00");
    }

    #[test]
    fn plates_and_drivers_validate() {
        let mut rng = traffic::day_rng(1, "t");
        for c in ["VN", "KH", "CN"] {
            let country = CountryCode::parse(c).unwrap();
            for _ in 0..100 {
                let p = crate::clearance::declaration::plate_key(&plate(country, &mut rng));
                assert!((3..=15).contains(&p.len()), "{p}");
                let d = driver(country, &mut rng);
                let doc = crate::clearance::declaration::plate_key(&d.document_number);
                assert!((5..=20).contains(&doc.len()), "{doc}");
            }
        }
    }

    #[test]
    fn hours_fall_back_to_moc_bai_customs_hours() {
        let gate = Gate {
            id: "g".into(),
            country: CountryCode::VN,
            name: "g".into(),
            name_km: None,
            province: None,
            province_old: None,
            lat: None,
            lon: None,
            coord_precision: None,
            coord_source: None,
            lanes: vec![],
            opening_hours: vec![],
            source: "s".into(),
        };
        assert_eq!(opening_hours(&gate, time::Weekday::Sunday).0, Some((360, 1320)));
        let hours = |days: &str, opens: &str, closes: &str, note: Option<&str>| crate::registry::model::OpeningHours {
            days: days.into(),
            opens: opens.into(),
            closes: closes.into(),
            note: note.map(str::to_string),
        };
        let gate = Gate {
            opening_hours: vec![hours("mon-fri", "07:00", "22:00", Some("passengers")), hours("mon-fri", "07:00", "19:00", Some("goods drivers"))],
            ..gate
        };
        assert_eq!(opening_hours(&gate, time::Weekday::Tuesday).0, Some((420, 1140)));
        assert_eq!(opening_hours(&gate, time::Weekday::Saturday).0, None);
    }
}
