//! Clearance types: HS codes, money, lanes, checks, directions — validated at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A Harmonized System code: 4, 6 or 8 digits (heading, subheading, national line),
/// chapter 01–97 except 77 (reserved). Input may carry dots or spaces (`0810.60`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(value_type = String, example = "081060")]
pub struct HsCode(String);

impl HsCode {
    /// Parses `0810`, `081060`, `0810.60`, `0810 60 00`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let digits: String = s.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() {
            return Err(format!("{s:?} is not an HS code: digits only (dots and spaces allowed)"));
        }
        if !matches!(digits.len(), 4 | 6 | 8) {
            return Err(format!("{s:?} has {} digits; an HS code has 4, 6 or 8", digits.len()));
        }
        let chapter: u8 = digits[..2].parse().map_err(|_| format!("{s:?}: bad chapter"))?;
        if !(1..=97).contains(&chapter) || chapter == 77 {
            return Err(format!("{s:?}: chapter {chapter:02} does not exist (01–97, 77 is reserved)"));
        }
        Ok(HsCode(digits))
    }

    /// The digits, e.g. `081060`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The chapter, 1–97.
    pub fn chapter(&self) -> u8 {
        self.0[..2].parse().unwrap_or(0)
    }

    /// The 4-digit heading.
    pub fn heading(&self) -> &str {
        &self.0[..4]
    }

    /// Perishable by nature: live animals, meat, fish, dairy, live plants, vegetables,
    /// fruit (chapters 01–08).
    pub fn is_perishable(&self) -> bool {
        (1..=8).contains(&self.chapter())
    }

    /// Plant and animal products (HS sections I and II, chapters 01–14) need a
    /// quarantine check.
    pub fn needs_quarantine(&self) -> bool {
        (1..=14).contains(&self.chapter())
    }

    /// Shown as `0810.60` / `7214` / `0810.60.00`.
    pub fn display(&self) -> String {
        let d = &self.0;
        match d.len() {
            6 => format!("{}.{}", &d[..4], &d[4..]),
            8 => format!("{}.{}.{}", &d[..4], &d[4..6], &d[6..]),
            _ => d.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for HsCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        HsCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// ISO 4217 currencies the platform handles, with their minor-unit exponent.
pub const CURRENCIES: &[(&str, u8)] = &[
    ("VND", 0),
    ("KHR", 2),
    ("USD", 2),
    ("CNY", 2),
    ("LAK", 2),
    ("THB", 2),
    ("EUR", 2),
];

/// An ISO 4217 alphabetic currency code the platform knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(value_type = String, example = "USD")]
pub struct Currency(&'static str);

impl Currency {
    /// Parses a known code (`XXX`, "no currency", and unknown codes are refused).
    pub fn parse(s: &str) -> Result<Self, String> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == s.trim())
            .map(|(c, _)| Currency(c))
            .ok_or_else(|| format!("unknown currency {s:?}; expected one of: {}", CURRENCIES.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")))
    }

    /// The code, e.g. `USD`.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Digits after the decimal point (VND 0, USD 2).
    pub fn exponent(self) -> u8 {
        CURRENCIES.iter().find(|(c, _)| *c == self.0).map_or(2, |c| c.1)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount in minor units (never a float) with its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Amount in the currency's minor unit (cents for USD, đồng for VND).
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: Currency,
}

impl Money {
    /// Shown with the currency's decimals: `12345 USD` → `123.45 USD`.
    pub fn display(&self) -> String {
        let e = u32::from(self.currency.exponent());
        if e == 0 {
            return format!("{} {}", self.minor, self.currency.as_str());
        }
        let div = 10i64.pow(e);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{}.{:0width$} {}", abs / div as u64, abs % div as u64, self.currency.as_str(), width = e as usize)
    }
}

/// The current time as the clearance services see it: the wall clock when serving, a
/// simulated clock in `cuakhau demo` and the benchmarks (so a past day can be replayed
/// through the same rules). Unix milliseconds, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Now(pub i64);

impl Now {
    /// The wall clock.
    pub fn wall() -> Now {
        Now((time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64)
    }

    /// Unix milliseconds.
    pub fn ms(self) -> i64 {
        self.0
    }

    /// Unix seconds.
    pub fn s(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// As stored in the tables (`2026-11-23T11:48:00Z`).
    pub fn text(self) -> String {
        crate::db::time_text(time::OffsetDateTime::from_unix_timestamp(self.s()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH))
    }
}

tokio::task_local! {
    /// The id generator of [`with_seeded_ids`].
    static SEEDED_IDS: std::cell::RefCell<rand::rngs::StdRng>;
}

/// A new record id, `{prefix}-{32 hex digits}`: a UUID v7 from the wall clock — or,
/// inside [`with_seeded_ids`], a UUID v7 of the simulated time `now` whose random bits
/// come from the seeded generator. A replay (`cuakhau demo --seed S`) thus creates the
/// same declaration ids, and the risk rules' random sampling, which draws from the
/// declaration id, picks the same declarations.
pub fn new_id(prefix: &str, now: Now) -> String {
    let seeded = SEEDED_IDS.try_with(|rng| {
        let mut bytes = [0u8; 10];
        rand::RngCore::fill_bytes(&mut *rng.borrow_mut(), &mut bytes);
        uuid::Builder::from_unix_timestamp_millis(u64::try_from(now.ms()).unwrap_or(0), &bytes).into_uuid()
    });
    format!("{prefix}-{}", seeded.unwrap_or_else(|_| uuid::Uuid::now_v7()).simple())
}

/// Runs `f` with ids from [`new_id`] drawn from a generator seeded with `seed`.
pub async fn with_seeded_ids<F: std::future::Future>(seed: u64, f: F) -> F::Output {
    let rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
    SEEDED_IDS.scope(std::cell::RefCell::new(rng), f).await
}

word_enum!(
    /// The lane an assessment sends a vehicle to.
    Lane {
        /// Documents only.
        Green => "green",
        /// Document check by an officer.
        Yellow => "yellow",
        /// Physical inspection.
        Red => "red",
    }
);

word_enum!(
    /// A check a vehicle must pass before it may exit.
    Check {
        /// Documents checked by customs.
        Document => "document",
        /// Physical inspection by customs.
        Physical => "physical",
        /// Plant or animal quarantine.
        Quarantine => "quarantine",
        /// X-ray scan.
        Xray => "xray",
    }
);

word_enum!(
    /// Direction of a shipment, from the declaring node's country's view.
    Direction {
        /// Leaving the node's country.
        Export => "export",
        /// Entering the node's country.
        Import => "import",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_codes_are_4_6_or_8_digits_in_real_chapters() {
        assert_eq!(HsCode::parse("0810.60").unwrap().as_str(), "081060");
        assert_eq!(HsCode::parse("7214").unwrap().chapter(), 72);
        assert_eq!(HsCode::parse("0810 60 00").unwrap().display(), "0810.60.00");
        for bad in ["7700", "12", "abcd", "", "0000", "9801", "08106", "0810.6x"] {
            assert!(HsCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn durian_is_perishable_and_needs_quarantine_steel_does_not() {
        let durian = HsCode::parse("0810.60").unwrap();
        assert!(durian.is_perishable() && durian.needs_quarantine());
        let steel = HsCode::parse("7214").unwrap();
        assert!(!steel.is_perishable() && !steel.needs_quarantine());
        let rice = HsCode::parse("1006").unwrap();
        assert!(!rice.is_perishable() && rice.needs_quarantine());
    }

    #[test]
    fn currencies_are_iso_codes_we_know() {
        assert_eq!(Currency::parse("KHR").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("VND").unwrap().exponent(), 0);
        assert!(Currency::parse("XXX").is_err());
        assert!(Currency::parse("usd").is_err());
    }

    #[test]
    fn money_displays_with_its_decimals() {
        assert_eq!(Money { minor: 12345, currency: Currency::parse("USD").unwrap() }.display(), "123.45 USD");
        assert_eq!(Money { minor: 5, currency: Currency::parse("USD").unwrap() }.display(), "0.05 USD");
        assert_eq!(Money { minor: 1_500_000, currency: Currency::parse("VND").unwrap() }.display(), "1500000 VND");
    }

    #[tokio::test]
    async fn seeded_ids_replay_and_carry_the_simulated_time() {
        let t = Now(1_764_550_800_000);
        let ids = |seed| with_seeded_ids(seed, async move { (new_id("D", t), new_id("D", t)) });
        let (a, b) = ids(7).await;
        assert_eq!((a.clone(), b.clone()), ids(7).await);
        assert_ne!(a, b);
        assert_ne!(a, ids(8).await.0);
        let uuid = uuid::Uuid::parse_str(&a["D-".len()..]).unwrap();
        assert_eq!(uuid.get_version_num(), 7);
        let (secs, _) = uuid.get_timestamp().unwrap().to_unix();
        assert_eq!(secs as i64, t.s());
        // Outside the scope: the wall clock's random ids.
        assert_ne!(new_id("D", t), new_id("D", t));
    }

    proptest::proptest! {
        #[test]
        fn hs_parse_never_panics(s in ".{0,12}") {
            let _ = HsCode::parse(&s);
        }
    }
}
