//! Realistic goods traffic at a land border gate, for `cuakhau demo` and the benchmarks.
//!
//! Everything here is pure: no clock, no I/O. Randomness comes from the caller's seeded
//! generator ([`day_rng`]), so one seed replays the same day. (`StdRng` is ChaCha12 in
//! rand 0.9: the same on every platform, but a future rand may change the stream.)
//!
//! - [`ArrivalProfile`]: when trucks want to arrive, by local time of day, within the
//!   gate's opening hours.
//! - [`CommodityMix`]: what they carry — the real commodities of a trade corridor with
//!   their HS codes, direction shares and typical loads.
//! - [`ServiceTimes`]: how long each check takes and how often it holds or refuses.
//! - [`ControlPositions`] and [`simulate_yard`]: a day in the yard — who is called
//!   forward when (first come first served per lane, perishables first with a recorded
//!   skip), the checks each truck's assessment requires, fee and exit — as timed
//!   checkpoint events ready to post through [`super::events::record_batch`].
//!
//! # Sources and assumptions
//! Facts are from `../shared/data/facts.md` (copied in `data/facts.md`); every figure
//! that is not a fact is marked as an assumption where it is defined.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use super::declaration::{QuantityUnit, VehicleType};
use super::fold::{EventKind, Outcome};
use super::model::{Check, Direction, Lane};
use super::queue::SkipReason;

/// One minute in milliseconds.
pub const MINUTE_MS: i64 = 60_000;

/// The seeded generator of one simulated day: the same `seed` and `day` (`YYYY-MM-DD`)
/// always give the same stream, whatever else was simulated before.
pub fn day_rng(seed: u64, day: &str) -> StdRng {
    let digest = Sha256::digest(format!("cuakhau/traffic/v1:{seed}:{day}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    StdRng::seed_from_u64(u64::from_be_bytes(first))
}

// ── Arrival profile ─────────────────────────────────────────────────────────────────

/// Relative arrival weight of trucks per local hour (00–23), before opening hours apply.
///
/// Facts (facts.md §3.1, Mộc Bài): customs worked 06:00–22:00 (Jan 2020) and 08:00–11:00
/// is the busiest time of day (Sep 2025). The hour-by-hour weights are an assumption
/// with that peak (36 % of a 06–22 day in those three hours), a lunch dip, an afternoon
/// shoulder and a quiet evening; the night hours only count at gates open at night.
pub const TRUCK_HOURLY_WEIGHTS: [f64; 24] = [
    0.5, 0.5, 0.5, 0.5, 0.5, 1.0, // 00–05
    3.0, 6.0, 10.0, 11.0, 10.0, 7.0, // 06–11
    5.0, 5.0, 6.0, 6.0, 5.0, 4.0, // 12–17
    3.0, 2.0, 2.0, 1.0, 0.5, 0.5, // 18–23
];

/// When trucks arrive: a probability for each minute of the local day, zero while the
/// gate is closed.
#[derive(Debug, Clone)]
pub struct ArrivalProfile {
    /// Cumulative probability up to and including each minute (1440 values, last = 1).
    cdf: Vec<f64>,
    /// Probability of each minute.
    pdf: Vec<f64>,
}

impl ArrivalProfile {
    /// The truck profile ([`TRUCK_HOURLY_WEIGHTS`]) within opening hours given as
    /// minutes of the local day: `opens..closes`; `closes` may be 1440 (midnight) or
    /// earlier than `opens` (open past midnight); `opens == closes` means open all day.
    pub fn trucks(opens: u32, closes: u32) -> Result<Self, String> {
        if opens >= 1440 || closes > 1440 {
            return Err(format!("opening hours {opens}–{closes} are not minutes of a day"));
        }
        let open = |m: u32| match opens.cmp(&closes) {
            std::cmp::Ordering::Less => (opens..closes).contains(&m),
            std::cmp::Ordering::Greater => m >= opens || m < closes,
            std::cmp::Ordering::Equal => true,
        };
        let weights: Vec<f64> = (0..1440u32).map(|m| if open(m) { TRUCK_HOURLY_WEIGHTS[(m / 60) as usize] } else { 0.0 }).collect();
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err("the gate is never open".into());
        }
        let pdf: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = pdf
            .iter()
            .map(|p| {
                acc += p;
                acc
            })
            .collect();
        if let Some(last) = cdf.last_mut() {
            *last = 1.0;
        }
        Ok(ArrivalProfile { cdf, pdf })
    }

    /// Share of the day's arrivals in local hour `hour` (0–23).
    pub fn hour_share(&self, hour: u32) -> f64 {
        let h = (hour.min(23) * 60) as usize;
        self.pdf[h..h + 60].iter().sum()
    }

    /// The `n` busiest hours, busiest first (ties: earlier first).
    pub fn busiest_hours(&self, n: usize) -> Vec<u32> {
        let mut hours: Vec<u32> = (0..24).collect();
        hours.sort_by(|a, b| self.hour_share(*b).total_cmp(&self.hour_share(*a)).then(a.cmp(b)));
        hours.truncate(n);
        hours
    }

    /// Largest share of the day's arrivals in one slot of `slot_minutes` (slots start
    /// at midnight).
    pub fn peak_slot_share(&self, slot_minutes: u32) -> f64 {
        let step = slot_minutes.clamp(1, 1440) as usize;
        self.pdf.chunks(step).map(|c| c.iter().sum::<f64>()).fold(0.0, f64::max)
    }

    /// Whether minute `m` of the local day is within opening hours.
    pub fn is_open(&self, m: u32) -> bool {
        self.pdf.get(m as usize).is_some_and(|p| *p > 0.0)
    }

    /// A minute of the local day (0–1439) drawn from the profile.
    pub fn sample_minute(&self, rng: &mut impl Rng) -> u32 {
        let u: f64 = rng.random();
        let i = self.cdf.partition_point(|c| *c <= u).min(1439);
        // Never a closed minute (u may land exactly on a plateau's edge).
        (i..1440).chain(0..i).find(|m| self.pdf[*m] > 0.0).unwrap_or(i) as u32
    }
}

/// Places per booking slot and direction that keep an average day's busiest slot
/// below two thirds full: `ceil(1.5 × vehicles × direction share × peak slot share)`.
pub fn suggested_slot_capacity(vehicles_per_day: u32, busiest_direction_share: f64, peak_slot_share: f64) -> i64 {
    (1.5 * f64::from(vehicles_per_day) * busiest_direction_share * peak_slot_share).ceil().max(1.0) as i64
}

// ── Commodity mix ───────────────────────────────────────────────────────────────────

/// A commodity that crosses a gate by truck, with a typical load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Commodity {
    /// Short key, e.g. `cashew`.
    pub key: &'static str,
    /// HS code of the usual tariff line (heading or subheading).
    pub hs: &'static str,
    /// Description, Vietnamese / English.
    pub description: &'static str,
    /// Direction from the node's (Vietnam's) side.
    pub direction: Direction,
    /// Share of its direction's trucks (the shares of a direction sum to 1).
    pub share: f64,
    /// Unit of the declared quantity.
    pub unit: QuantityUnit,
    /// Quantity units per tonne of net mass (1 for tonnes, 1000 for kg, …).
    pub units_per_tonne: f64,
    /// Net tonnes per truck: (least, most).
    pub net_tonnes: (f64, f64),
    /// Typical value, USD per tonne (an assumption of the order of magnitude).
    pub usd_per_tonne: f64,
    /// Kind of truck.
    pub vehicle: VehicleType,
}

/// One truckload of a commodity, as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Quantity in the commodity's unit (> 0).
    pub quantity: i64,
    /// Net mass, kg (> 0).
    pub net_mass_kg: i64,
    /// Value in US cents.
    pub value_usd_cents: i64,
}

impl Commodity {
    /// Draws one truckload: net mass uniform in the range, value ±15 % around the
    /// typical price.
    pub fn load(&self, rng: &mut impl Rng) -> Load {
        let (lo, hi) = self.net_tonnes;
        let tonnes = if hi > lo { rng.random_range(lo..hi) } else { lo };
        let price = self.usd_per_tonne * rng.random_range(0.85..1.15);
        Load {
            quantity: ((tonnes * self.units_per_tonne).round() as i64).max(1),
            net_mass_kg: ((tonnes * 1000.0).round() as i64).max(1),
            value_usd_cents: (tonnes * price * 100.0).round() as i64,
        }
    }
}

/// The trucks of a trade corridor: the share of imports and the commodities of each
/// direction.
#[derive(Debug, Clone, Copy)]
pub struct CommodityMix {
    /// The partner country (ISO 3166 alpha-2) of the corridor.
    pub partner: &'static str,
    /// Share of trucks that are imports into Vietnam.
    pub import_share: f64,
    /// Where the direction split comes from.
    pub import_share_source: &'static str,
    /// Commodities of both directions.
    pub commodities: &'static [Commodity],
}

#[allow(clippy::too_many_arguments)] // a table row: one argument per column
const fn c(
    key: &'static str,
    hs: &'static str,
    description: &'static str,
    direction: Direction,
    share: f64,
    unit: QuantityUnit,
    units_per_tonne: f64,
    net_tonnes: (f64, f64),
    usd_per_tonne: f64,
    vehicle: VehicleType,
) -> Commodity {
    Commodity { key, hs, description, direction, share, unit, units_per_tonne, net_tonnes, usd_per_tonne, vehicle }
}

use Direction::{Export as EX, Import as IM};
use QuantityUnit::{Carton, Kg, Litre, Piece, Tonne};
use VehicleType::{Container, Reefer, Tanker, Truck};

/// Vietnam–Cambodia. The commodities and their HS chapters are facts.md §2.1 ("Main
/// commodities with HS chapters"); the headings within a chapter are chosen here. The
/// sources name commodities but give no shares, except OEC 2021 values for three
/// Vietnamese exports (knitted fabric 450 M USD, refined petroleum 396 M USD, raw iron
/// 296 M USD): the shares of trucks below are assumptions that follow the order in
/// which the sources list the goods, with bulk farm goods (low value per truck) weighing
/// more in trucks than in value. Durian is not among the Cambodian exports facts.md
/// lists, so it is not here.
pub const VN_KH: CommodityMix = CommodityMix {
    partner: "KH",
    import_share: 0.5,
    import_share_source: "assumption: by value Vietnam's exports were 54 % in 2022 (5.75 of 10.57 bn USD) and 41 % in Q1 2025 \
                          (trade.csv); Cambodia's bulk farm exports fill more trucks per dollar, so half the trucks are taken as imports",
    commodities: &[
        // Vietnam → Cambodia (exports from the node's view).
        c("steel", "7214", "Thép thanh / steel bars", EX, 0.25, Tonne, 1.0, (24.0, 32.0), 650.0, Truck),
        c("fuel", "2710.19", "Dầu diesel / diesel fuel", EX, 0.12, Litre, 1190.0, (20.0, 26.0), 900.0, Tanker),
        c("fabric", "6006", "Vải dệt kim / knitted fabric", EX, 0.12, Kg, 1000.0, (6.0, 12.0), 6500.0, Container),
        c("fertiliser", "3105", "Phân bón NPK / NPK fertiliser", EX, 0.10, Tonne, 1.0, (25.0, 32.0), 420.0, Truck),
        c("cement", "2523", "Xi măng / cement", EX, 0.08, Tonne, 1.0, (28.0, 34.0), 75.0, Truck),
        c("feed", "2309", "Thức ăn chăn nuôi / animal feed", EX, 0.07, Tonne, 1.0, (20.0, 28.0), 480.0, Truck),
        c("cable", "8544", "Dây cáp điện / insulated electric cable", EX, 0.06, Kg, 1000.0, (5.0, 12.0), 4500.0, Container),
        c("clothing", "6109", "Áo thun / T-shirts", EX, 0.05, Piece, 4000.0, (3.0, 6.0), 9000.0, Container),
        c("vegetables", "0704", "Bắp cải / cabbages", EX, 0.05, Kg, 1000.0, (8.0, 15.0), 300.0, Reefer),
        c("drinks", "2202", "Nước giải khát / soft drinks", EX, 0.05, Carton, 80.0, (12.0, 18.0), 700.0, Container),
        c("biscuits", "1905", "Bánh quy / biscuits", EX, 0.05, Carton, 150.0, (6.0, 10.0), 2800.0, Container),
        // Cambodia → Vietnam (imports).
        c("cashew", "0801.31", "Hạt điều thô / raw cashew nuts in shell", IM, 0.24, Tonne, 1.0, (18.0, 26.0), 1300.0, Container),
        c("rubber", "4001.22", "Cao su tự nhiên / natural rubber (TSNR)", IM, 0.12, Tonne, 1.0, (18.0, 22.0), 1600.0, Container),
        c("cassava", "0714.10", "Sắn lát khô / dried cassava chips", IM, 0.14, Tonne, 1.0, (25.0, 32.0), 250.0, Truck),
        c("starch", "1108.14", "Tinh bột sắn / cassava starch", IM, 0.06, Tonne, 1.0, (24.0, 28.0), 450.0, Truck),
        c("rice", "1006.30", "Gạo xát / milled rice", IM, 0.10, Tonne, 1.0, (24.0, 30.0), 550.0, Truck),
        c("paddy", "1006.10", "Lúa / paddy rice", IM, 0.04, Tonne, 1.0, (25.0, 32.0), 300.0, Truck),
        c("maize", "1005.90", "Ngô hạt / maize", IM, 0.06, Tonne, 1.0, (25.0, 32.0), 280.0, Truck),
        c("banana", "0803.90", "Chuối tươi / fresh bananas", IM, 0.06, Kg, 1000.0, (12.0, 18.0), 400.0, Reefer),
        c("mango", "0804.50", "Xoài tươi / fresh mangoes", IM, 0.06, Kg, 1000.0, (10.0, 16.0), 600.0, Reefer),
        c("coconut", "0801.19", "Dừa tươi / fresh coconuts", IM, 0.03, Piece, 800.0, (10.0, 15.0), 300.0, Truck),
        c("tobacco", "2401.10", "Lá thuốc lá / tobacco leaves", IM, 0.03, Kg, 1000.0, (6.0, 10.0), 3500.0, Container),
        c("sesame", "1207.40", "Hạt vừng / sesame seeds", IM, 0.03, Tonne, 1.0, (18.0, 24.0), 1800.0, Container),
        c("beans", "0713.31", "Đậu xanh / mung beans", IM, 0.03, Tonne, 1.0, (18.0, 24.0), 1000.0, Truck),
    ],
};

/// Vietnam–China (Yunnan and Lạng Sơn gates). Commodities: facts.md §2.1 "Yunnan ↔
/// Vietnam" (Yunnan Dept of Commerce); electricity (2716) does not travel by truck and
/// is left out; the headings and all shares are assumptions.
pub const VN_CN: CommodityMix = CommodityMix {
    partner: "CN",
    import_share: 0.753,
    import_share_source: "facts.md §3.4: 3,822 trucks at the Lạng Sơn gates on 31 Jan–1 Feb 2026, 24.7 % export, 75.3 % import",
    commodities: &[
        // Vietnam → China.
        c("durian", "0810.60", "Sầu riêng tươi / fresh durian", EX, 0.25, Kg, 1000.0, (15.0, 20.0), 3000.0, Reefer),
        c("dragon-fruit", "0810.90", "Thanh long / dragon fruit", EX, 0.15, Kg, 1000.0, (12.0, 18.0), 800.0, Reefer),
        c("veneer", "4408", "Ván bóc / peeled veneer", EX, 0.15, Tonne, 1.0, (18.0, 25.0), 450.0, Truck),
        c("cassava", "0714.10", "Sắn lát khô / dried cassava chips", EX, 0.10, Tonne, 1.0, (25.0, 32.0), 250.0, Truck),
        c("starch", "1108.14", "Tinh bột sắn / cassava starch", EX, 0.10, Tonne, 1.0, (24.0, 28.0), 450.0, Truck),
        c("phosphorus", "2804.70", "Phốt pho vàng / yellow phosphorus", EX, 0.10, Tonne, 1.0, (18.0, 22.0), 3200.0, Tanker),
        c("seafood", "0306.17", "Tôm đông lạnh / frozen shrimps", EX, 0.10, Kg, 1000.0, (10.0, 16.0), 7000.0, Reefer),
        c("herbs", "1211.90", "Dược liệu / medicinal herbs", EX, 0.05, Kg, 1000.0, (5.0, 10.0), 2500.0, Truck),
        // China → Vietnam.
        c("coal", "2701.12", "Than cốc / coking coal", IM, 0.25, Tonne, 1.0, (28.0, 34.0), 200.0, Truck),
        c("fertiliser", "3105", "Phân bón / fertiliser", IM, 0.20, Tonne, 1.0, (25.0, 32.0), 420.0, Truck),
        c("electrical", "8504", "Máy biến áp / transformers", IM, 0.25, Piece, 40.0, (5.0, 12.0), 6000.0, Container),
        c("chemicals", "2836", "Hoá chất (carbonat) / carbonates", IM, 0.15, Tonne, 1.0, (20.0, 28.0), 350.0, Truck),
        c("garlic", "0703.20", "Tỏi tươi / fresh garlic", IM, 0.15, Kg, 1000.0, (12.0, 20.0), 900.0, Reefer),
    ],
};

impl CommodityMix {
    /// The mix of the corridor between Vietnam and `partner` (ISO alpha-2), when known.
    pub fn for_partner(partner: &str) -> Option<&'static CommodityMix> {
        [&VN_KH, &VN_CN].into_iter().find(|m| m.partner == partner)
    }

    /// Share of all trucks in `direction`.
    pub fn direction_share(&self, direction: Direction) -> f64 {
        match direction {
            Direction::Import => self.import_share,
            Direction::Export => 1.0 - self.import_share,
        }
    }

    /// Share of all trucks that carry `c`.
    pub fn share(&self, c: &Commodity) -> f64 {
        self.direction_share(c.direction) * c.share
    }

    /// Draws a truck's commodity: the direction by its share, then the commodity.
    pub fn sample(&self, rng: &mut impl Rng) -> &'static Commodity {
        let direction = if rng.random_bool(chance(self.import_share)) { Direction::Import } else { Direction::Export };
        let of_direction: Vec<&'static Commodity> = self.commodities.iter().filter(|c| c.direction == direction).collect();
        let total: f64 = of_direction.iter().map(|c| c.share).sum();
        let mut u = rng.random_range(0.0..1.0) * total;
        for c in &of_direction {
            if u < c.share {
                return c;
            }
            u -= c.share;
        }
        of_direction.last().copied().unwrap_or(&self.commodities[0])
    }
}

// ── Service times ───────────────────────────────────────────────────────────────────

/// A triangular distribution of minutes: least, most likely, most.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tri {
    /// Least, minutes (> 0).
    pub min: f64,
    /// Most likely, minutes.
    pub mode: f64,
    /// Most, minutes.
    pub max: f64,
}

impl Tri {
    /// `Tri { min, mode, max }`.
    pub const fn new(min: f64, mode: f64, max: f64) -> Self {
        Tri { min, mode, max }
    }

    /// A draw in milliseconds (at least 1), by the inverse distribution function.
    pub fn draw_ms(&self, rng: &mut impl Rng) -> i64 {
        let Tri { min, mode, max } = *self;
        let u: f64 = rng.random();
        let minutes = if max <= min {
            min
        } else {
            let f = (mode - min) / (max - min);
            if u < f {
                min + (u * (max - min) * (mode - min)).sqrt()
            } else {
                max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
            }
        };
        ((minutes * MINUTE_MS as f64).round() as i64).max(1)
    }
}

/// How long things take at the gate and how often a check holds or refuses.
///
/// Assumptions, shaped by facts.md §3.1: at Mộc Bài the wait before goods control rose
/// from just over 10 minutes to about 30 minutes at the 08:00–11:00 peak (Sep 2025).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTimes {
    /// From a control position falling free to the next truck being called.
    pub call: Tri,
    /// From the call to the truck standing at the control position.
    pub to_control: Tri,
    /// Customs document check.
    pub document: Tri,
    /// X-ray scan.
    pub xray: Tri,
    /// Physical inspection by customs.
    pub physical: Tri,
    /// Plant or animal quarantine (sampling included).
    pub quarantine: Tri,
    /// Between two checks.
    pub between: Tri,
    /// A held check: until the problem is fixed (papers, lab result) …
    pub hold: Tri,
    /// … and the check done again.
    pub recheck: Tri,
    /// Paying the fees (QR).
    pub fee: Tri,
    /// From the fee to leaving the gate.
    pub exit: Tri,
    /// A refused truck turned back.
    pub turn_back: Tri,
    /// Chance that a document check holds (then passes).
    pub hold_document: f64,
    /// Chance that an X-ray scan holds.
    pub hold_xray: f64,
    /// Chance that a physical inspection holds.
    pub hold_physical: f64,
    /// Chance that a quarantine check holds.
    pub hold_quarantine: f64,
    /// Chance that an inspection (X-ray, physical, quarantine) refuses a truck that may be
    /// refused ([`YardTruck::may_be_refused`]); other trucks are never refused.
    pub refuse: f64,
}

impl Default for ServiceTimes {
    fn default() -> Self {
        ServiceTimes {
            call: Tri::new(0.5, 1.0, 3.0),
            to_control: Tri::new(1.0, 2.0, 5.0),
            document: Tri::new(3.0, 6.0, 15.0),
            xray: Tri::new(4.0, 6.0, 12.0),
            physical: Tri::new(15.0, 30.0, 75.0),
            quarantine: Tri::new(8.0, 15.0, 40.0),
            between: Tri::new(0.5, 1.5, 5.0),
            hold: Tri::new(20.0, 45.0, 180.0),
            recheck: Tri::new(2.0, 4.0, 10.0),
            fee: Tri::new(1.0, 2.0, 6.0),
            exit: Tri::new(1.0, 2.0, 5.0),
            turn_back: Tri::new(5.0, 10.0, 30.0),
            hold_document: 0.04,
            hold_xray: 0.03,
            hold_physical: 0.06,
            hold_quarantine: 0.05,
            refuse: 0.05,
        }
    }
}

impl Tri {
    /// The mean, minutes.
    pub fn mean(&self) -> f64 {
        (self.min + self.mode + self.max) / 3.0
    }
}

impl ServiceTimes {
    /// Expected minutes a truck with these checks occupies a control position (holds
    /// and refusals aside): to the position, the checks, the fee, the exit.
    pub fn expected_minutes(&self, checks: &[Check]) -> f64 {
        let k = CHECK_ORDER.iter().filter(|c| checks.contains(c)).count();
        let checks_min: f64 = CHECK_ORDER.iter().filter(|c| checks.contains(c)).map(|c| self.check_time(*c).mean()).sum();
        self.to_control.mean() + checks_min + self.between.mean() * k.saturating_sub(1) as f64 + self.fee.mean() + self.exit.mean()
    }

    fn check_time(&self, check: Check) -> Tri {
        match check {
            Check::Document => self.document,
            Check::Xray => self.xray,
            Check::Physical => self.physical,
            Check::Quarantine => self.quarantine,
        }
    }

    fn hold_rate(&self, check: Check) -> f64 {
        match check {
            Check::Document => self.hold_document,
            Check::Xray => self.hold_xray,
            Check::Physical => self.hold_physical,
            Check::Quarantine => self.hold_quarantine,
        }
    }
}

// ── The yard ────────────────────────────────────────────────────────────────────────

/// Control positions per lane: a truck occupies one from its call until it exits (or
/// is held and parked aside). A lane works several trucks at once (document desks,
/// quarantine officers, the inspection platform); facts.md §3.1 reports 4–5 clearance
/// lanes at Mộc Bài (2020).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlPositions {
    /// Green lane.
    pub green: usize,
    /// Yellow lane.
    pub yellow: usize,
    /// Red lane.
    pub red: usize,
}

/// Positions per lane relative to the lane's average load over the opening hours.
///
/// Assumption: the gate staffs each lane for [`POSITION_HEADROOM`] times its day's
/// average work. The busiest hour brings about twice the average arrivals, so queues
/// build only at the 08:00–11:00 peak, where facts.md §3.1 reports waits of about 30
/// minutes before goods control (Sep 2025).
pub const POSITION_HEADROOM: f64 = 2.2;

impl ControlPositions {
    /// Positions for a day's trucks: each lane gets [`POSITION_HEADROOM`] × its work
    /// (expected minutes at a position, [`ServiceTimes::expected_minutes`]) divided by
    /// the minutes the gate is open, at least one.
    pub fn for_workload(trucks: &[YardTruck], times: &ServiceTimes, open_minutes: u32) -> Self {
        let work = |lane: Lane| trucks.iter().filter(|t| t.lane == lane).map(|t| times.expected_minutes(&t.checks)).sum::<f64>();
        let positions = |lane: Lane| ((POSITION_HEADROOM * work(lane) / f64::from(open_minutes.max(1))).ceil() as usize).max(1);
        ControlPositions { green: positions(Lane::Green), yellow: positions(Lane::Yellow), red: positions(Lane::Red) }
    }

    fn of(&self, lane: Lane) -> usize {
        match lane {
            Lane::Green => self.green,
            Lane::Yellow => self.yellow,
            Lane::Red => self.red,
        }
        .max(1)
    }
}

/// A truck in the yard simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YardTruck {
    /// The lane its assessment chose.
    pub lane: Lane,
    /// The checks its assessment requires.
    pub checks: Vec<Check>,
    /// Perishable: called ahead of the other trucks of its lane.
    pub perishable: bool,
    /// When it reaches the yard (unix ms); made distinct by [`simulate_yard`].
    pub arrival_ms: i64,
    /// Whether an inspection may refuse it (trucks of traders with a poor record).
    pub may_be_refused: bool,
}

/// One checkpoint event of a simulated truck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// When (unix ms).
    pub at_ms: i64,
    /// What.
    pub kind: EventKind,
    /// The check's result.
    pub outcome: Option<Outcome>,
    /// A call that passes over earlier arrivals of the lane says why.
    pub skip_reason: Option<SkipReason>,
}

impl Step {
    fn new(at_ms: i64, kind: EventKind) -> Self {
        Step { at_ms, kind, outcome: None, skip_reason: None }
    }

    fn check(at_ms: i64, check: Check, outcome: Outcome) -> Self {
        Step { at_ms, kind: EventKind::for_check(check), outcome: Some(outcome), skip_reason: None }
    }
}

/// The order checks are done in at the control position.
const CHECK_ORDER: [Check; 4] = [Check::Document, Check::Xray, Check::Physical, Check::Quarantine];

/// Simulates a day in the yard: each truck's checkpoint events, in time order.
///
/// Arrivals are made distinct (a truck arriving in the same millisecond as another is
/// one millisecond later, so the queue order is never a tie). Each lane is a queue
/// served by its [`ControlPositions`]: when a position falls free the earliest
/// perishable truck waiting is called, else the earliest truck; a call that passes over
/// earlier arrivals carries [`SkipReason::PerishablePriority`] (the platform records a
/// skip for each). Calls within a lane are strictly increasing in time. At the
/// position the required checks are done one after another (document, X-ray, physical,
/// quarantine); a held check parks the truck aside (freeing the position) until it is
/// done again and passes; a refused truck is turned back (`exited` without fee);
/// otherwise the fee is paid and the truck exits. Trucks that arrive but are never
/// called cannot occur: positions are served until every queue is empty.
pub fn simulate_yard(trucks: &[YardTruck], positions: &ControlPositions, times: &ServiceTimes, rng: &mut impl Rng) -> Vec<Vec<Step>> {
    let mut steps: Vec<Vec<Step>> = vec![Vec::new(); trucks.len()];
    let mut order: Vec<usize> = (0..trucks.len()).collect();
    order.sort_by_key(|&i| (trucks[i].arrival_ms, i));
    let mut arrival = vec![0i64; trucks.len()];
    let mut last = i64::MIN;
    for &i in &order {
        let t = trucks[i].arrival_ms.max(last.saturating_add(1));
        arrival[i] = t;
        last = t;
        steps[i].push(Step::new(t, EventKind::ArrivedYard));
    }
    for lane in [Lane::Green, Lane::Yellow, Lane::Red] {
        let in_lane: Vec<usize> = order.iter().copied().filter(|&i| trucks[i].lane == lane).collect();
        let mut waiting: Vec<usize> = Vec::new();
        let mut releases: BinaryHeap<Reverse<i64>> = BinaryHeap::new();
        let mut free = positions.of(lane);
        let mut next = 0;
        let mut last_call = i64::MIN;
        loop {
            let t_arrival = in_lane.get(next).map(|&i| arrival[i]);
            let t_release = releases.peek().map(|r| r.0);
            let now = match (t_arrival, t_release) {
                (None, _) if waiting.is_empty() => break,
                (Some(a), Some(r)) if r <= a => {
                    releases.pop();
                    free += 1;
                    r
                }
                (Some(a), _) => {
                    waiting.push(in_lane[next]);
                    next += 1;
                    a
                }
                (None, Some(r)) => {
                    releases.pop();
                    free += 1;
                    r
                }
                // Waiting trucks but nothing to release: cannot happen (a position is
                // free whenever the heap is empty), but never loop forever.
                (None, None) => break,
            };
            while free > 0 && !waiting.is_empty() {
                let pick = waiting.iter().position(|&i| trucks[i].perishable).unwrap_or(0);
                let i = waiting.remove(pick);
                let call = (now + times.call.draw_ms(rng)).max(last_call.saturating_add(1));
                last_call = call;
                let skip = (pick > 0).then_some(SkipReason::PerishablePriority);
                let release = at_the_position(&trucks[i], call, skip, times, rng, &mut steps[i]);
                releases.push(Reverse(release));
                free -= 1;
            }
        }
    }
    steps
}

/// A probability `random_bool` accepts (a wrong setting is read as its nearest bound,
/// NaN as 0).
fn chance(p: f64) -> f64 {
    if p.is_nan() {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// The events of one truck from its call; returns when its position falls free.
fn at_the_position(truck: &YardTruck, call: i64, skip: Option<SkipReason>, times: &ServiceTimes, rng: &mut impl Rng, out: &mut Vec<Step>) -> i64 {
    out.push(Step { skip_reason: skip, ..Step::new(call, EventKind::CalledForward) });
    let mut t = call + times.to_control.draw_ms(rng);
    let mut release: Option<i64> = None;
    for (n, check) in CHECK_ORDER.iter().copied().filter(|c| truck.checks.contains(c)).enumerate() {
        if n > 0 {
            t += times.between.draw_ms(rng);
        }
        t += times.check_time(check).draw_ms(rng);
        if truck.may_be_refused && check != Check::Document && rng.random_bool(chance(times.refuse)) {
            out.push(Step::check(t, check, Outcome::Refuse));
            t += times.turn_back.draw_ms(rng);
            out.push(Step::new(t, EventKind::Exited));
            return release.unwrap_or(t);
        }
        if rng.random_bool(chance(times.hold_rate(check))) {
            out.push(Step::check(t, check, Outcome::Hold));
            release.get_or_insert(t);
            t += times.hold.draw_ms(rng) + times.recheck.draw_ms(rng);
        }
        out.push(Step::check(t, check, Outcome::Ok));
    }
    t += times.fee.draw_ms(rng);
    out.push(Step::new(t, EventKind::FeePaid));
    t += times.exit.draw_ms(rng);
    out.push(Step::new(t, EventKind::Exited));
    release.unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::clearance::fold::{fold, CheckpointEvent, FinalStatus};
    use crate::clearance::model::HsCode;
    use crate::clearance::queue::{self, QueueAction, QueueEntry};

    const DAY0: i64 = 1_764_522_000_000; // 2025-12-01T00:00:00+07:00

    #[test]
    fn the_profile_peaks_from_8_to_11_and_stays_within_opening_hours() {
        let p = ArrivalProfile::trucks(6 * 60, 22 * 60).unwrap();
        let mut top = p.busiest_hours(3);
        top.sort_unstable();
        assert_eq!(top, [8, 9, 10]);
        let total: f64 = (0..24).map(|h| p.hour_share(h)).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert_eq!(p.hour_share(5), 0.0);
        assert_eq!(p.hour_share(22), 0.0);
        let peak: f64 = (8..11).map(|h| p.hour_share(h)).sum();
        assert!((0.3..0.4).contains(&peak), "{peak}");
        let mut rng = day_rng(1, "2025-12-01");
        for _ in 0..5_000 {
            let m = p.sample_minute(&mut rng);
            assert!((360..1320).contains(&m), "{m}");
        }
        // Open past midnight and all day.
        let night = ArrivalProfile::trucks(20 * 60, 2 * 60).unwrap();
        assert!(night.is_open(23 * 60) && night.is_open(60) && !night.is_open(12 * 60));
        assert!(ArrivalProfile::trucks(0, 0).unwrap().is_open(3 * 60));
        assert!(ArrivalProfile::trucks(1500, 0).is_err());
    }

    #[test]
    fn draws_from_the_profile_follow_its_shares() {
        let p = ArrivalProfile::trucks(6 * 60, 22 * 60).unwrap();
        let mut rng = day_rng(7, "2025-12-01");
        let n = 40_000;
        let peak = (0..n).filter(|_| (480..660).contains(&p.sample_minute(&mut rng))).count() as f64 / n as f64;
        let expected: f64 = (8..11).map(|h| p.hour_share(h)).sum();
        assert!((peak - expected).abs() < 0.01, "{peak} vs {expected}");
    }

    #[test]
    fn mix_shares_sum_to_one_and_every_hs_code_is_real() {
        for mix in [&VN_KH, &VN_CN] {
            for d in [Direction::Import, Direction::Export] {
                let sum: f64 = mix.commodities.iter().filter(|c| c.direction == d).map(|c| c.share).sum();
                assert!((sum - 1.0).abs() < 1e-9, "{} {d}: {sum}", mix.partner);
            }
            let all: f64 = mix.commodities.iter().map(|c| mix.share(c)).sum();
            assert!((all - 1.0).abs() < 1e-9, "{}: {all}", mix.partner);
            for c in mix.commodities {
                let hs = HsCode::parse(c.hs).unwrap_or_else(|e| panic!("{}: {e}", c.key));
                assert!(c.net_tonnes.0 > 0.0 && c.net_tonnes.1 >= c.net_tonnes.0 && c.usd_per_tonne > 0.0, "{}", c.key);
                if c.key == "cashew" {
                    assert_eq!(hs.heading(), "0801");
                }
            }
        }
        assert_eq!(CommodityMix::for_partner("KH").unwrap().partner, "KH");
        assert!(CommodityMix::for_partner("LA").is_none());
    }

    #[test]
    fn sampled_commodities_follow_the_mix() {
        let mut rng = day_rng(3, "2025-12-01");
        let n = 50_000;
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for _ in 0..n {
            let c = VN_KH.sample(&mut rng);
            *counts.entry(c.key).or_default() += 1;
        }
        for c in VN_KH.commodities {
            let got = counts.get(c.key).copied().unwrap_or(0) as f64 / n as f64;
            assert!((got - VN_KH.share(c)).abs() < 0.01, "{}: {got} vs {}", c.key, VN_KH.share(c));
        }
    }

    #[test]
    fn loads_are_positive_and_plausible() {
        let mut rng = day_rng(5, "2025-12-01");
        for c in VN_KH.commodities.iter().chain(VN_CN.commodities) {
            for _ in 0..50 {
                let l = c.load(&mut rng);
                assert!(l.quantity > 0 && l.net_mass_kg > 0 && l.value_usd_cents > 0, "{}", c.key);
                assert!(l.net_mass_kg <= 40_000, "{}", c.key);
                assert!(l.value_usd_cents < 50_000_000, "{}: {}", c.key, l.value_usd_cents);
            }
        }
    }

    #[test]
    fn the_same_seed_replays_the_same_draws() {
        let draws = |seed: u64, day: &str| {
            let mut rng = day_rng(seed, day);
            let t = ServiceTimes::default();
            (0..20).map(|_| t.quarantine.draw_ms(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draws(7, "2025-12-01"), draws(7, "2025-12-01"));
        assert_ne!(draws(7, "2025-12-01"), draws(8, "2025-12-01"));
        assert_ne!(draws(7, "2025-12-01"), draws(7, "2025-12-02"));
        let t = Tri::new(3.0, 6.0, 15.0);
        let mut rng = day_rng(1, "x");
        assert!((0..1000).map(|_| t.draw_ms(&mut rng)).all(|ms| (3 * MINUTE_MS..=15 * MINUTE_MS).contains(&ms)));
    }

    fn day_of_trucks(seed: u64, n: usize) -> Vec<YardTruck> {
        let mut rng = day_rng(seed, "trucks");
        let p = ArrivalProfile::trucks(6 * 60, 22 * 60).unwrap();
        (0..n)
            .map(|i| {
                let lane = match rng.random_range(0..100) {
                    0..80 => Lane::Green,
                    80..95 => Lane::Yellow,
                    _ => Lane::Red,
                };
                let mut checks: Vec<Check> = crate::clearance::rules::implied_checks(lane).to_vec();
                let perishable = rng.random_bool(0.4);
                if perishable {
                    checks.push(Check::Quarantine);
                }
                if lane == Lane::Red && rng.random_bool(0.5) {
                    checks.push(Check::Xray);
                }
                YardTruck {
                    lane,
                    checks,
                    perishable,
                    // A few trucks arrive in the same millisecond on purpose.
                    arrival_ms: DAY0 + i64::from(p.sample_minute(&mut rng)) * MINUTE_MS + if i % 50 == 0 { 0 } else { rng.random_range(0..MINUTE_MS) },
                    may_be_refused: i % 10 == 0,
                }
            })
            .collect()
    }

    #[test]
    fn a_simulated_day_is_reproducible() {
        let trucks = day_of_trucks(11, 300);
        let pos = ControlPositions::for_workload(&trucks, &ServiceTimes::default(), 960);
        let a = simulate_yard(&trucks, &pos, &ServiceTimes::default(), &mut day_rng(11, "yard"));
        let b = simulate_yard(&trucks, &pos, &ServiceTimes::default(), &mut day_rng(11, "yard"));
        assert_eq!(a, b);
        let c = simulate_yard(&trucks, &pos, &ServiceTimes::default(), &mut day_rng(12, "yard"));
        assert_ne!(a, c);
    }

    /// Every truck's events are accepted by the clearance fold, and the yard queue the
    /// platform would publish from them (arrivals, calls, a skip for each truck passed
    /// over, as `events::record_batch` writes them) verifies.
    #[test]
    fn simulated_events_fold_and_their_queue_log_verifies() {
        let trucks = day_of_trucks(7, 800);
        let times = ServiceTimes::default();
        let positions = ControlPositions::for_workload(&trucks, &times, 960);
        assert!(positions.green > positions.yellow && positions.red >= 1, "{positions:?}");
        let steps = simulate_yard(&trucks, &positions, &times, &mut day_rng(7, "yard"));
        let (mut refused, mut skips, mut waited) = (0, 0, 0);
        for (t, s) in trucks.iter().zip(&steps) {
            let events: Vec<CheckpointEvent> = s.iter().map(|s| CheckpointEvent { kind: s.kind, outcome: s.outcome, at_ms: s.at_ms }).collect();
            assert!(events.windows(2).all(|w| w[0].at_ms < w[1].at_ms), "{s:?}");
            let state = fold(&t.checks, &events).unwrap_or_else(|(i, e)| panic!("event {i} of {s:?}: {e}"));
            match state.final_status() {
                Some(FinalStatus::Refused) => refused += 1,
                Some(FinalStatus::Cleared) => {}
                None => panic!("truck never exited: {s:?}"),
            }
            if state.waiting_time_ms().unwrap_or(0) > 15 * MINUTE_MS {
                waited += 1;
            }
        }
        assert!(refused > 0, "some trucks that may be refused are");
        assert!(waited > 0, "the morning peak builds a queue");
        // The queue log, in the order the gate posts: by time.
        let mut yard: Vec<(i64, usize, Step)> = steps
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.iter().filter(|s| matches!(s.kind, EventKind::ArrivedYard | EventKind::CalledForward)).map(move |s| (s.at_ms, i, *s)))
            .collect();
        yard.sort_by_key(|(at, i, _)| (*at, *i));
        let mut log: Vec<QueueEntry> = Vec::new();
        let mut waiting: Vec<usize> = Vec::new();
        let lane = |i: usize| trucks[i].lane.as_str().to_string();
        for (at, i, s) in yard {
            let vehicle = format!("T{i}");
            if s.kind == EventKind::ArrivedYard {
                log.push(queue::append(&log, at, QueueAction::Arrived { vehicle, lane: lane(i) }));
                waiting.push(i);
                continue;
            }
            let pos = waiting.iter().position(|&w| w == i).expect("called once, after arriving");
            let earlier: Vec<usize> = waiting[..pos].iter().copied().filter(|&w| trucks[w].lane == trucks[i].lane).collect();
            if !earlier.is_empty() {
                let reason = s.skip_reason.expect("a call past earlier arrivals gives a reason");
                for w in earlier {
                    skips += 1;
                    log.push(queue::append(&log, at, QueueAction::Skipped { vehicle: format!("T{w}"), lane: lane(w), reason }));
                }
            }
            log.push(queue::append(&log, at, QueueAction::Called { vehicle, lane: lane(i) }));
            waiting.remove(pos);
        }
        let report = queue::verify(&log).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.arrivals, 800);
        assert_eq!(report.calls, 800);
        assert!(skips > 0, "perishables were called ahead at the peak");
    }

    #[test]
    fn capacity_suggestion_covers_the_busiest_slot() {
        let p = ArrivalProfile::trucks(6 * 60, 22 * 60).unwrap();
        let share = p.peak_slot_share(30);
        assert!((0.05..0.07).contains(&share), "{share}");
        let cap = suggested_slot_capacity(800, 0.5, share);
        assert!((35..=45).contains(&cap), "{cap}");
        assert!(cap as f64 > 800.0 * 0.5 * share);
    }
}
