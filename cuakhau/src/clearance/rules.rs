//! Risk rules: which lane a declaration goes to and which checks it needs, and why.
//!
//! Pure: no I/O. The rules are a TOML file; the default ships in the repository
//! (`default-risk-rules.toml`, embedded, see [`RuleSet::default_rules`]) and an operator
//! may supply their own text to [`RuleSet::parse`], which replaces it entirely.
//!
//! # Format
//! ```toml
//! version = "2026-11-default"   # required; shown with every assessment
//! seed = 20261123               # optional (default 0); seed of the random sampling
//!
//! [[rule]]
//! id = "steel.sample"           # required, unique; letters, digits, '.', '_', '-'
//! description = "Random X-ray of 5% of iron and steel declarations"   # required
//! hs_prefix = ["72", "73"]      # condition
//! sample_rate = 0.05            # condition
//! lane = "red"                  # effect
//! checks = ["xray"]             # effect
//! ```
//! Conditions (all optional; every one given must hold; a rule without conditions fires
//! for every declaration):
//! - `hs_prefix = ["0810", "07"]`: some line's HS code starts with one of these
//!   (2 to 8 digits, dots and spaces ignored, a chapter that exists).
//! - `origin = ["TH", "CN"]`: some line's country of origin is one of these. With
//!   `hs_prefix`, the **same line** must match both (so "steel from China" does not fire
//!   for Chinese fruit next to Vietnamese steel).
//! - `value_over = { minor = 10_000_000, currency = "USD" }`: the sum of the values of
//!   the lines in that currency is strictly above the amount (minor units). Lines in
//!   other currencies are not converted and do not count; write one rule per currency.
//! - `direction = "import"` or `"export"`.
//! - `perishable = true` (or `false`): the declaration is (not) perishable — some line
//!   is perishable by HS code ([`HsCode::is_perishable`]) or the trader declared it so.
//! - `trader_declarations_below = 3`: the trader has fewer past declarations than this.
//! - `trader_refusals_at_least = 1`, `trader_no_shows_at_least = 3`: the trader has at
//!   least this many past refusals / missed slots.
//! - `sample_rate = 0.05`: fires for that share of declarations, reproducibly. The draw
//!   is `u` = the first 8 bytes of `sha256("<seed>:<rule id>:<declaration id>")` read as
//!   a big-endian `u64`, divided by 2⁶⁴; the rule fires when `u < rate`. The same
//!   declaration id always gets the same draw; rate 0 never fires, rate 1 always does.
//!
//! Effects (at least one): `lane = "green" | "yellow" | "red"` and
//! `checks = ["document", "physical", "quarantine", "xray"]`.
//!
//! Unknown keys, duplicate ids, rates outside 0..=1, unknown words, bad HS prefixes,
//! currencies and countries are refused with a one-line [`RulesError`] naming the rule
//! (its number, counting from 1, and its id) and the field, e.g.
//! ``rule 3 (steel.sample): unknown field `hs_prefx`, expected one of …``.
//!
//! # Semantics
//! An assessment starts green with no checks. Each rule that fires raises the lane to
//! the more severe one (green < yellow < red) and adds its checks; nothing lowers a lane
//! or removes a check, so the order of the rules does not matter. The lane implies
//! checks ([`implied_checks`]): yellow ⇒ document, red ⇒ document + physical.
//!
//! Built in and not removable by any rules file: a line of HS chapters 01–14 (plant and
//! animal products, [`HsCode::needs_quarantine`]) requires a quarantine check, recorded
//! as the fired rule [`BUILTIN_QUARANTINE_ID`].
//!
//! Every fired rule is listed in the [`Assessment`] with a sentence saying concretely
//! what matched (HS code and prefix, total and threshold, origin, trader counts, or the
//! sampling rate), for the officer and the trader alike.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::model::{Check, Direction, HsCode, Lane, Money};
use crate::registry::model::CountryCode;

/// The default rules file shipped in the repository (see the comments in it for the
/// format). [`RuleSet::default_rules`] parses it.
pub const DEFAULT_RULES_TOML: &str = include_str!("default-risk-rules.toml");

/// Id of the built-in rule that requires a quarantine check for plant and animal
/// products (HS chapters 01–14). No rules file can remove it or reuse the id.
pub const BUILTIN_QUARANTINE_ID: &str = "builtin.quarantine";

/// Checks a lane implies: yellow ⇒ document; red ⇒ document and physical.
pub fn implied_checks(lane: Lane) -> &'static [Check] {
    match lane {
        Lane::Green => &[],
        Lane::Yellow => &[Check::Document],
        Lane::Red => &[Check::Document, Check::Physical],
    }
}

/// Why a rules file was refused. The Display is one line that names the place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// The text is not TOML at all.
    #[error("rules file is not valid TOML: {message}")]
    Syntax {
        /// What is wrong, with the line and column.
        message: String,
    },
    /// A top-level key (`version`, `seed`, `rule`) is missing, unknown or invalid.
    #[error("rules file: {message}")]
    File {
        /// The offending key (path), when known.
        field: Option<String>,
        /// What is wrong, naming the key.
        message: String,
    },
    /// One `[[rule]]` is invalid.
    #[error("rule {index}{}: {message}", fmt_id(.id))]
    Rule {
        /// Position of the rule in the file, counting from 1.
        index: usize,
        /// Its `id`, when it has one.
        id: Option<String>,
        /// The offending key (path such as `value_over.currency`), when known.
        field: Option<String>,
        /// What is wrong, naming the key.
        message: String,
    },
}

fn fmt_id(id: &Option<String>) -> String {
    match id {
        Some(id) => format!(" ({id})"),
        None => String::new(),
    }
}

/// A parsed, validated rules file.
#[derive(Debug, Clone)]
pub struct RuleSet {
    version: String,
    seed: u64,
    digest: String,
    rules: Vec<Rule>,
}

/// One validated rule.
#[derive(Debug, Clone)]
struct Rule {
    id: String,
    description: String,
    /// Normalised to digits.
    hs_prefix: Option<Vec<String>>,
    origin: Option<Vec<CountryCode>>,
    value_over: Option<Money>,
    direction: Option<Direction>,
    perishable: Option<bool>,
    trader_declarations_below: Option<u32>,
    trader_refusals_at_least: Option<u32>,
    trader_no_shows_at_least: Option<u32>,
    sample_rate: Option<f64>,
    lane: Option<Lane>,
    /// Sorted, unique, including the checks the lane implies.
    checks: Vec<Check>,
}

/// The file as written, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: String,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    rule: Vec<toml::Value>,
}

/// One `[[rule]]` as written, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    description: String,
    hs_prefix: Option<Vec<String>>,
    origin: Option<Vec<CountryCode>>,
    value_over: Option<Money>,
    direction: Option<Direction>,
    perishable: Option<bool>,
    trader_declarations_below: Option<u32>,
    trader_refusals_at_least: Option<u32>,
    trader_no_shows_at_least: Option<u32>,
    sample_rate: Option<f64>,
    lane: Option<Lane>,
    checks: Option<Vec<Check>>,
}

/// What the rules look at: the facts of one declaration.
#[derive(Debug, Clone, Copy)]
pub struct AssessmentInput<'a> {
    /// The declaration's id; the random sampling draws from it.
    pub declaration_id: &'a str,
    /// Import or export, from this node's country's view.
    pub direction: Direction,
    /// The goods lines.
    pub lines: &'a [LineFacts],
    /// The trader declared the goods perishable (whatever their HS codes).
    pub declared_perishable: bool,
    /// The trader's record at this node.
    pub trader: TraderHistory,
}

/// The facts of one goods line the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFacts {
    /// HS code of the goods.
    pub hs: HsCode,
    /// Declared value of the line.
    pub value: Money,
    /// Country of origin of the goods.
    pub origin: CountryCode,
}

/// A trader's past record, counted before this declaration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TraderHistory {
    /// Declarations filed before this one.
    pub declarations: u32,
    /// Declarations refused.
    pub refusals: u32,
    /// Booked slots the trader did not show up for.
    pub no_shows: u32,
}

/// The result of assessing one declaration: lane, checks and the rules that decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    /// The lane the vehicle goes to.
    pub lane: Lane,
    /// Checks required before exit: sorted, unique, including those the lane implies.
    pub checks: Vec<Check>,
    /// Some line is perishable by HS code (chapters 01–08) or the trader declared the
    /// goods perishable; perishables get slot priority.
    pub perishable: bool,
    /// The rules that fired, built-in first, then in file order, each with its reason.
    pub fired: Vec<FiredRule>,
    /// `version` of the rules file that assessed.
    pub rules_version: String,
}

/// A rule that fired for a declaration, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FiredRule {
    /// Rule id, e.g. `steel.sample` or `builtin.quarantine`.
    pub id: String,
    /// The rule's description from the rules file.
    pub description: String,
    /// One sentence saying what matched, e.g. "HS 7214 matches prefix 72; selected by
    /// random sampling (rate 5%)."
    pub reason: String,
    /// The lane the rule raises to, if it sets one.
    pub lane: Option<Lane>,
    /// The checks this rule requires (sorted), including those its lane implies.
    pub checks: Vec<Check>,
}

impl RuleSet {
    /// Parses and validates a rules file (see the module documentation for the format).
    pub fn parse(toml_text: &str) -> Result<RuleSet, RulesError> {
        let table: toml::Table =
            toml_text.parse().map_err(|e: toml::de::Error| syntax_error(toml_text, &e))?;
        let raw: RawFile = serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let (field, message) = located(&e);
            RulesError::File { field, message }
        })?;
        let version = raw.version.trim().to_owned();
        if version.is_empty() || version.contains(['\n', '\r']) {
            return Err(RulesError::File {
                field: Some("version".into()),
                message: "version: must be one non-empty line".into(),
            });
        }
        let mut rules = Vec::with_capacity(raw.rule.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, value) in raw.rule.into_iter().enumerate() {
            let index = i + 1;
            let rule = parse_rule(index, value)?;
            if let Some(first) = seen.get(&rule.id) {
                return Err(RulesError::Rule {
                    index,
                    id: Some(rule.id.clone()),
                    field: Some("id".into()),
                    message: format!("id: duplicate, rule {first} has the same id"),
                });
            }
            seen.insert(rule.id.clone(), index);
            rules.push(rule);
        }
        Ok(RuleSet {
            version,
            seed: raw.seed,
            digest: hex::encode(Sha256::digest(toml_text.as_bytes())),
            rules,
        })
    }

    /// The default rules embedded from `default-risk-rules.toml`.
    pub fn default_rules() -> RuleSet {
        RuleSet::parse(DEFAULT_RULES_TOML).expect("the embedded default rules parse (unit-tested)")
    }

    /// The `version` of the rules file, shown with each assessment.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The sampling seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// SHA-256 (hex) of the source text, to record exactly which rules assessed.
    pub fn digest(&self) -> String {
        self.digest.clone()
    }

    /// The rules in file order, as `(id, description)`, for listing them.
    pub fn rules(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.rules.iter().map(|r| (r.id.as_str(), r.description.as_str()))
    }

    /// Assesses one declaration: the built-in quarantine rule, then every rule of the
    /// file. Deterministic: the same input always gives the same assessment.
    pub fn assess(&self, input: &AssessmentInput<'_>) -> Assessment {
        let perishable = input.declared_perishable || input.lines.iter().any(|l| l.hs.is_perishable());
        let mut lane = Lane::Green;
        let mut checks: BTreeSet<Check> = BTreeSet::new();
        let mut fired = Vec::new();

        if let Some(builtin) = builtin_quarantine(input.lines) {
            checks.extend(builtin.checks.iter().copied());
            fired.push(builtin);
        }
        for rule in &self.rules {
            if let Some(clauses) = rule.matches(self.seed, input, perishable) {
                if let Some(l) = rule.lane {
                    // Lane's derived order is its severity: green < yellow < red.
                    lane = lane.max(l);
                }
                checks.extend(rule.checks.iter().copied());
                fired.push(FiredRule {
                    id: rule.id.clone(),
                    description: rule.description.clone(),
                    reason: sentence(&clauses),
                    lane: rule.lane,
                    checks: rule.checks.clone(),
                });
            }
        }
        checks.extend(implied_checks(lane).iter().copied());
        Assessment { lane, checks: checks.into_iter().collect(), perishable, fired, rules_version: self.version.clone() }
    }
}

/// The built-in quarantine rule: fires when some line is of HS chapters 01–14.
fn builtin_quarantine(lines: &[LineFacts]) -> Option<FiredRule> {
    let mut codes: Vec<&HsCode> = Vec::new();
    for line in lines.iter().filter(|l| l.hs.needs_quarantine()) {
        if !codes.contains(&&line.hs) {
            codes.push(&line.hs);
        }
    }
    if codes.is_empty() {
        return None;
    }
    let named: Vec<String> = codes.iter().map(|c| format!("HS {} (chapter {:02})", c.display(), c.chapter())).collect();
    let reason = if named.len() == 1 {
        format!("{} is a plant or animal product: quarantine check required.", named[0])
    } else {
        format!("{} are plant or animal products: quarantine check required.", join_and(&named))
    };
    Some(FiredRule {
        id: BUILTIN_QUARANTINE_ID.into(),
        description: "Plant and animal products (HS chapters 01–14) need a quarantine check".into(),
        reason,
        lane: None,
        checks: vec![Check::Quarantine],
    })
}

impl Rule {
    /// The clauses of the reason when every condition holds, `None` otherwise.
    /// Cheap conditions first; the sampling draw last.
    fn matches(&self, seed: u64, input: &AssessmentInput<'_>, perishable: bool) -> Option<Vec<String>> {
        let mut clauses = Vec::new();

        if self.hs_prefix.is_some() || self.origin.is_some() {
            let mut hits: Vec<String> = Vec::new();
            for line in input.lines {
                let prefix = match &self.hs_prefix {
                    Some(prefixes) => match prefixes.iter().find(|p| line.hs.as_str().starts_with(p.as_str())) {
                        Some(p) => Some(p),
                        None => continue,
                    },
                    None => None,
                };
                if let Some(origins) = &self.origin {
                    if !origins.contains(&line.origin) {
                        continue;
                    }
                }
                let hs = line.hs.display();
                let hit = match (prefix, &self.origin) {
                    (Some(p), Some(_)) => {
                        format!("HS {hs} matches prefix {} and originates in {}", show_prefix(p), line.origin)
                    }
                    (Some(p), None) => format!("HS {hs} matches prefix {}", show_prefix(p)),
                    (None, _) => format!("HS {hs} originates in {}", line.origin),
                };
                if !hits.contains(&hit) {
                    hits.push(hit);
                }
            }
            if hits.is_empty() {
                return None;
            }
            clauses.push(join_capped(&hits, 5));
        }

        if let Some(threshold) = self.value_over {
            let total: i128 = input
                .lines
                .iter()
                .filter(|l| l.value.currency == threshold.currency)
                .map(|l| i128::from(l.value.minor))
                .sum();
            if total <= i128::from(threshold.minor) {
                return None;
            }
            let total = Money {
                minor: i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX }),
                currency: threshold.currency,
            };
            clauses.push(format!("the total value {} is above {}", total.display(), threshold.display()));
        }

        if let Some(direction) = self.direction {
            if input.direction != direction {
                return None;
            }
            clauses.push(format!(
                "the declaration is an {}",
                match direction {
                    Direction::Import => "import",
                    Direction::Export => "export",
                }
            ));
        }

        if let Some(wanted) = self.perishable {
            if perishable != wanted {
                return None;
            }
            clauses.push(if !wanted {
                "the goods are not perishable".to_owned()
            } else if let Some(line) = input.lines.iter().find(|l| l.hs.is_perishable()) {
                format!("the goods are perishable (HS {}, chapter {:02})", line.hs.display(), line.hs.chapter())
            } else {
                "the goods are declared perishable".to_owned()
            });
        }

        let t = input.trader;
        if let Some(n) = self.trader_declarations_below {
            if t.declarations >= n {
                return None;
            }
            clauses.push(format!(
                "the trader has {}, fewer than {n}",
                count(t.declarations, "past declaration", "past declarations")
            ));
        }
        if let Some(n) = self.trader_refusals_at_least {
            if t.refusals < n {
                return None;
            }
            clauses.push(format!("the trader has {}, at least {n}", count(t.refusals, "past refusal", "past refusals")));
        }
        if let Some(n) = self.trader_no_shows_at_least {
            if t.no_shows < n {
                return None;
            }
            clauses.push(format!(
                "the trader missed {}, at least {n}",
                count(t.no_shows, "booked slot", "booked slots")
            ));
        }

        if let Some(rate) = self.sample_rate {
            if draw(seed, &self.id, input.declaration_id) >= rate {
                return None;
            }
            clauses.push(format!("selected by random sampling (rate {})", percent(rate)));
        }

        if clauses.is_empty() {
            clauses.push("applies to every declaration".into());
        }
        Some(clauses)
    }
}

/// The sampling draw in [0, 1): the first 8 bytes of
/// `sha256("<seed>:<rule id>:<declaration id>")`, big-endian, divided by 2⁶⁴ (kept to
/// the 53 bits an `f64` holds exactly, so rate 1 always fires).
fn draw(seed: u64, rule_id: &str, declaration_id: &str) -> f64 {
    let hash = Sha256::digest(format!("{seed}:{rule_id}:{declaration_id}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    let x = u64::from_be_bytes(first);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

// ── Parsing helpers ─────────────────────────────────────────────────────────────────

fn parse_rule(index: usize, value: toml::Value) -> Result<Rule, RulesError> {
    let id = value.get("id").and_then(toml::Value::as_str).map(str::to_owned);
    let err = |field: &str, message: String| RulesError::Rule {
        index,
        id: id.clone(),
        field: Some(field.to_owned()),
        message: format!("{field}: {message}"),
    };
    if !value.is_table() {
        return Err(RulesError::Rule {
            index,
            id: None,
            field: None,
            message: format!("expected a [[rule]] table, found {}", value.type_str()),
        });
    }
    let raw: RawRule = serde_path_to_error::deserialize(value).map_err(|e| {
        let (field, message) = located(&e);
        RulesError::Rule { index, id: id.clone(), field, message }
    })?;

    let rule_id = raw.id.trim().to_owned();
    if rule_id.is_empty() || rule_id.len() > 64 {
        return Err(err("id", "must be 1 to 64 characters".into()));
    }
    if !rule_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(err("id", format!("{rule_id:?} may hold only letters, digits, '.', '_' and '-'")));
    }
    if rule_id.starts_with("builtin.") {
        return Err(err("id", format!("{rule_id:?}: ids starting with \"builtin.\" are reserved")));
    }
    let description = raw.description.trim().to_owned();
    if description.is_empty() {
        return Err(err("description", "must not be empty".into()));
    }

    let hs_prefix = match raw.hs_prefix {
        None => None,
        Some(list) if list.is_empty() => return Err(err("hs_prefix", "must list at least one prefix".into())),
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, p) in list.iter().enumerate() {
                out.push(hs_prefix(p).map_err(|m| err(&format!("hs_prefix[{i}]"), m))?);
            }
            Some(out)
        }
    };
    if raw.origin.as_ref().is_some_and(Vec::is_empty) {
        return Err(err("origin", "must list at least one country".into()));
    }
    if let Some(v) = raw.value_over {
        if v.minor < 0 {
            return Err(err("value_over.minor", format!("{} is negative", v.minor)));
        }
    }
    if let Some(rate) = raw.sample_rate {
        if !(0.0..=1.0).contains(&rate) {
            return Err(err("sample_rate", format!("{rate} is outside 0..=1 (0.05 means 5%)")));
        }
    }
    let mut checks: BTreeSet<Check> = raw.checks.clone().unwrap_or_default().into_iter().collect();
    if raw.lane.is_none() && checks.is_empty() {
        return Err(RulesError::Rule {
            index,
            id: id.clone(),
            field: None,
            message: "no effect: give `lane`, `checks` or both".into(),
        });
    }
    if let Some(lane) = raw.lane {
        checks.extend(implied_checks(lane).iter().copied());
    }

    Ok(Rule {
        id: rule_id,
        description,
        hs_prefix,
        origin: raw.origin,
        value_over: raw.value_over,
        direction: raw.direction,
        perishable: raw.perishable,
        trader_declarations_below: raw.trader_declarations_below,
        trader_refusals_at_least: raw.trader_refusals_at_least,
        trader_no_shows_at_least: raw.trader_no_shows_at_least,
        sample_rate: raw.sample_rate,
        lane: raw.lane,
        checks: checks.into_iter().collect(),
    })
}

/// Validates an HS prefix: 2 to 8 digits (dots and spaces ignored) in a chapter that
/// exists. Returns the digits.
fn hs_prefix(p: &str) -> Result<String, String> {
    let digits: String = p.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !(2..=8).contains(&digits.len()) {
        return Err(format!("{p:?} is not an HS prefix: 2 to 8 digits (dots allowed)"));
    }
    let chapter: u8 = digits[..2].parse().unwrap_or(0);
    if !(1..=97).contains(&chapter) || chapter == 77 {
        return Err(format!("{p:?}: chapter {chapter:02} does not exist (01–97, 77 is reserved)"));
    }
    Ok(digits)
}

/// The field path and a one-line message (naming the field) of a deserialisation error.
fn located(e: &serde_path_to_error::Error<toml::de::Error>) -> (Option<String>, String) {
    let path = e.path().to_string();
    let path = (path != "." && !path.is_empty()).then_some(path);
    let message = one_line(e.inner().message());
    // Missing and unknown fields name the field in the message already; the path is the
    // field itself (unknown) or the table holding it (missing): prefix only the table.
    match (unknown_field_name(&message), path) {
        (Some(name), None) => (Some(name), message),
        (Some(name), Some(path)) => {
            let table = path.strip_suffix(name.as_str()).unwrap_or(&path).trim_end_matches('.');
            if table.is_empty() {
                (Some(name), message)
            } else {
                (Some(format!("{table}.{name}")), format!("{table}: {message}"))
            }
        }
        (None, Some(path)) => (Some(path.clone()), format!("{path}: {message}")),
        (None, None) => (None, message),
    }
}

/// The field named by serde's "unknown field `x`" / "missing field `x`" messages.
fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

fn syntax_error(text: &str, e: &toml::de::Error) -> RulesError {
    let message = one_line(e.message());
    let message = match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    };
    RulesError::Syntax { message }
}

fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

// ── Reason helpers ──────────────────────────────────────────────────────────────────

/// Clauses joined into one sentence: capitalised, `; `-separated, ending with a period.
fn sentence(clauses: &[String]) -> String {
    let joined = clauses.join("; ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// At most `cap` items, then "and N more".
fn join_capped(items: &[String], cap: usize) -> String {
    if items.len() <= cap {
        return items.join(", ");
    }
    format!("{}, and {} more", items[..cap].join(", "), items.len() - cap)
}

/// A prefix shown like an HS code: `0810`, `0810.60`, `72`.
fn show_prefix(digits: &str) -> String {
    match digits.len() {
        0..=4 => digits.to_owned(),
        5..=6 => format!("{}.{}", &digits[..4], &digits[4..]),
        _ => format!("{}.{}.{}", &digits[..4], &digits[4..6], &digits[6..]),
    }
}

/// `0.05` → `5%`, `0.005` → `0.5%`.
fn percent(rate: f64) -> String {
    let s = format!("{:.3}", rate * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl fmt::Display for Assessment {
    /// `red: document, physical, xray (steel.sample)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let checks: Vec<&str> = self.checks.iter().map(|c| c.as_str()).collect();
        let ids: Vec<&str> = self.fired.iter().map(|r| r.id.as_str()).collect();
        write!(f, "{}", self.lane)?;
        if !checks.is_empty() {
            write!(f, ": {}", checks.join(", "))?;
        }
        if !ids.is_empty() {
            write!(f, " ({})", ids.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clearance::model::Currency;

    fn money(minor: i64, currency: &str) -> Money {
        Money { minor, currency: Currency::parse(currency).unwrap() }
    }

    fn line(hs: &str, minor: i64, currency: &str, origin: &str) -> LineFacts {
        LineFacts { hs: HsCode::parse(hs).unwrap(), value: money(minor, currency), origin: CountryCode::parse(origin).unwrap() }
    }

    fn established() -> TraderHistory {
        TraderHistory { declarations: 40, refusals: 0, no_shows: 0 }
    }

    fn input<'a>(id: &'a str, direction: Direction, lines: &'a [LineFacts], trader: TraderHistory) -> AssessmentInput<'a> {
        AssessmentInput { declaration_id: id, direction, lines, declared_perishable: false, trader }
    }

    fn err(text: &str) -> String {
        RuleSet::parse(text).expect_err("should be refused").to_string()
    }

    #[test]
    fn the_default_rules_parse_and_carry_the_expected_ids() {
        let rules = RuleSet::default_rules();
        assert_eq!(rules.version(), "2026-11-default");
        assert_eq!(rules.seed(), 20261123);
        let ids: Vec<&str> = rules.rules().map(|(id, _)| id).collect();
        assert_eq!(
            ids,
            [
                "sample.general",
                "steel.sample",
                "value.high.usd",
                "value.high.vnd",
                "trader.new",
                "trader.refused",
                "goods.live-animals",
                "goods.tobacco",
                "goods.spirits"
            ]
        );
        assert_eq!(rules.digest().len(), 64);
        assert_eq!(rules.digest(), RuleSet::default_rules().digest());
    }

    #[test]
    fn durian_from_cambodia_requires_quarantine_and_says_why() {
        let rules = RuleSet::default_rules();
        let lines = [line("0810.60", 2_000_000, "USD", "KH")];
        let a = rules.assess(&input("D-durian", Direction::Import, &lines, established()));
        assert!(a.checks.contains(&Check::Quarantine), "{a}");
        assert!(a.perishable);
        let q = a.fired.iter().find(|r| r.id == BUILTIN_QUARANTINE_ID).expect("builtin.quarantine fired");
        assert_eq!(q.reason, "HS 0810.60 (chapter 08) is a plant or animal product: quarantine check required.");
        assert_eq!(q.checks, [Check::Quarantine]);
        assert_eq!(a.rules_version, "2026-11-default");
    }

    /// Steel bars from Vietnam by an established trader, under the default rules.
    fn steel(rules: &RuleSet, id: &str) -> Assessment {
        let lines = [line("7214", 2_500_000, "USD", "VN")];
        rules.assess(&input(id, Direction::Export, &lines, established()))
    }

    #[test]
    fn steel_bars_from_vietnam_are_green_unless_sampled_and_then_red_with_xray() {
        let rules = RuleSet::default_rules();
        let mut green = None;
        let mut red = None;
        for n in 1..=200 {
            let id = format!("D-{n}");
            let a = steel(&rules, &id);
            let steel_fired = a.fired.iter().any(|r| r.id == "steel.sample");
            if a.fired.is_empty() && green.is_none() {
                assert_eq!(a.lane, Lane::Green);
                assert!(a.checks.is_empty());
                assert!(!a.perishable);
                green = Some(id);
            } else if steel_fired && red.is_none() {
                assert_eq!(a.lane, Lane::Red);
                assert_eq!(a.checks, [Check::Document, Check::Physical, Check::Xray]);
                let r = a.fired.iter().find(|r| r.id == "steel.sample").unwrap();
                assert_eq!(r.reason, "HS 7214 matches prefix 72; selected by random sampling (rate 5%).");
                red = Some(id);
            }
        }
        let (green, red) = (green.expect("a green id in D-1..D-200"), red.expect("a sampled id in D-1..D-200"));
        // Reproducible: the same ids give the same results again.
        assert_eq!(steel(&rules, &green).lane, Lane::Green);
        assert_eq!(steel(&rules, &red).lane, Lane::Red);
    }

    #[test]
    fn sampling_is_reproducible_and_close_to_its_rate() {
        let rules = RuleSet::parse(
            "version = \"t\"\nseed = 7\n[[rule]]\nid = \"s\"\ndescription = \"five percent\"\nsample_rate = 0.05\nlane = \"yellow\"\n",
        )
        .unwrap();
        let lines = [line("7214", 100, "USD", "VN")];
        let mut hits = 0;
        for n in 0..20_000 {
            let id = format!("D-{n}");
            let a = rules.assess(&input(&id, Direction::Export, &lines, established()));
            let b = rules.assess(&input(&id, Direction::Export, &lines, established()));
            assert_eq!(a, b);
            if a.lane == Lane::Yellow {
                hits += 1;
            }
        }
        let share = f64::from(hits) / 20_000.0;
        assert!((0.04..=0.06).contains(&share), "share {share}");
        // The draw follows the documented formula.
        let hash = Sha256::digest(b"7:s:D-1");
        let x = u64::from_be_bytes(hash[..8].try_into().unwrap());
        assert!((draw(7, "s", "D-1") - x as f64 / 2f64.powi(64)).abs() < 1e-12);
    }

    #[test]
    fn rate_zero_never_fires_and_rate_one_always_does() {
        let text = "version = \"t\"\n[[rule]]\nid = \"never\"\ndescription = \"d\"\nsample_rate = 0\nlane = \"red\"\n\
                    [[rule]]\nid = \"always\"\ndescription = \"d\"\nsample_rate = 1\nchecks = [\"xray\"]\n";
        let rules = RuleSet::parse(text).unwrap();
        let lines = [line("7214", 100, "USD", "VN")];
        for n in 0..500 {
            let id = format!("X{n}");
            let a = rules.assess(&input(&id, Direction::Import, &lines, established()));
            assert_eq!(a.lane, Lane::Green);
            assert_eq!(a.checks, [Check::Xray]);
        }
    }

    /// A file whose rule 1 is fine and rule 2 (`bad.one`) carries `extra`.
    fn second_rule_with(extra: &str) -> String {
        format!(
            "version = \"t\"\n[[rule]]\nid = \"good\"\ndescription = \"d\"\nlane = \"yellow\"\n\
             [[rule]]\nid = \"bad.one\"\ndescription = \"d\"\n{extra}\n"
        )
    }

    #[test]
    fn a_bad_rule_is_refused_with_a_message_naming_the_rule_and_the_field() {
        let cases = [
            ("hs_prefx = [\"72\"]\nlane = \"red\"", "hs_prefx"),
            ("sample_rate = 1.5\nlane = \"red\"", "sample_rate"),
            ("lane = \"purple\"", "lane"),
            ("hs_prefix = [\"7a\"]\nlane = \"red\"", "hs_prefix"),
            ("hs_prefix = [\"7\"]\nlane = \"red\"", "hs_prefix"),
            ("hs_prefix = [\"7700\"]\nlane = \"red\"", "hs_prefix"),
            ("value_over = { minor = 100, currency = \"XYZ\" }\nlane = \"red\"", "value_over.currency"),
            ("origin = [\"FR\"]\nlane = \"red\"", "origin"),
            ("checks = [\"sniff\"]", "checks"),
            ("direction = \"sideways\"\nlane = \"red\"", "direction"),
            ("value_over = { minor = 100, currency = \"USD\", note = 1 }\nlane = \"red\"", "note"),
            ("trader_refusals_at_least = -1\nlane = \"red\"", "trader_refusals_at_least"),
        ];
        for (extra, field) in cases {
            let e = RuleSet::parse(&second_rule_with(extra)).expect_err(extra);
            let msg = e.to_string();
            assert!(msg.starts_with("rule 2 (bad.one): "), "{msg}");
            assert!(msg.contains(field), "{msg} should name {field}");
            assert!(!msg.contains('\n'), "{msg} should be one line");
            assert!(matches!(&e, RulesError::Rule { index: 2, id: Some(id), field: Some(_), .. } if id == "bad.one"), "{e:?}");
        }
        let unknown = err(&second_rule_with("hs_prefx = [\"72\"]\nlane = \"red\""));
        assert!(unknown.starts_with("rule 2 (bad.one): unknown field `hs_prefx`"), "{unknown}");
        let nested = RuleSet::parse(&second_rule_with("value_over = { minor = 1, currency = \"USD\", note = 1 }\nlane = \"red\""));
        match nested {
            Err(RulesError::Rule { field: Some(field), message, .. }) => {
                assert_eq!(field, "value_over.note");
                assert!(message.starts_with("value_over: unknown field `note`"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_ids_and_rules_without_effect_are_refused() {
        let dup = err(&second_rule_with("lane = \"red\"").replace("bad.one", "good"));
        assert_eq!(dup, "rule 2 (good): id: duplicate, rule 1 has the same id");
        let none = err(&second_rule_with("hs_prefix = [\"72\"]"));
        assert_eq!(none, "rule 2 (bad.one): no effect: give `lane`, `checks` or both");
        let reserved = err(&second_rule_with("lane = \"red\"").replace("bad.one", "builtin.quarantine"));
        assert!(reserved.contains("reserved"), "{reserved}");
        let missing = err("version = \"t\"\n[[rule]]\nid = \"x\"\nlane = \"red\"\n");
        assert!(missing.starts_with("rule 1 (x): missing field `description`"), "{missing}");
    }

    #[test]
    fn file_level_mistakes_are_refused_in_one_line() {
        assert!(err("seed = 1\n").contains("version"));
        let rules = err("version = \"t\"\n[[rules]]\nid = \"x\"\n");
        assert!(rules.starts_with("rules file: unknown field `rules`"), "{rules}");
        let syntax = err("version = \"t\"\n[[rule]\n");
        assert!(syntax.starts_with("rules file is not valid TOML: line 2"), "{syntax}");
        assert!(!syntax.contains('\n'), "{syntax}");
        assert!(err("version = \"t\"\nseed = -3\n").contains("seed"));
        assert!(err("version = \"  \"\n").contains("version"));
    }

    #[test]
    fn an_operator_file_without_quarantine_rules_still_requires_quarantine() {
        let rules = RuleSet::parse(
            "version = \"op-1\"\n[[rule]]\nid = \"steel\"\ndescription = \"steel is red\"\nhs_prefix = [\"72\"]\nlane = \"red\"\n",
        )
        .unwrap();
        let lines = [line("0804.50", 50_000, "USD", "KH")];
        let a = rules.assess(&input("D-mango", Direction::Import, &lines, established()));
        assert_eq!(a.lane, Lane::Green);
        assert_eq!(a.checks, [Check::Quarantine]);
        assert_eq!(a.fired.len(), 1);
        assert_eq!(a.fired[0].id, BUILTIN_QUARANTINE_ID);
        assert!(a.fired[0].reason.contains("HS 0804.50 (chapter 08)"));
        // Even an empty rules file.
        let empty = RuleSet::parse("version = \"empty\"\n").unwrap();
        assert_eq!(empty.assess(&input("D-1", Direction::Import, &lines, established())).checks, [Check::Quarantine]);
    }

    #[test]
    fn reasons_say_what_matched() {
        let rules = RuleSet::default_rules();
        // High value, new trader.
        let lines = [line("8471.30", 9_000_000, "USD", "CN"), line("8471.30", 2_000_000, "USD", "CN"), line("8471.30", 1, "VND", "CN")];
        let trader = TraderHistory { declarations: 1, refusals: 0, no_shows: 0 };
        let a = rules.assess(&input("D-laptops", Direction::Import, &lines, trader));
        let reason = |id: &str| a.fired.iter().find(|r| r.id == id).map(|r| r.reason.clone()).unwrap_or_default();
        assert_eq!(reason("value.high.usd"), "The total value 110000.00 USD is above 100000.00 USD.");
        assert_eq!(reason("trader.new"), "The trader has 1 past declaration, fewer than 3.");
        assert!(a.lane >= Lane::Yellow && a.checks.contains(&Check::Document));
        // Refused trader.
        let b = rules.assess(&input("D-x", Direction::Import, &lines[..1], TraderHistory { declarations: 9, refusals: 2, no_shows: 0 }));
        assert_eq!(b.lane, Lane::Red);
        assert!(b.fired.iter().any(|r| r.id == "trader.refused" && r.reason == "The trader has 2 past refusals, at least 1."));
        // Live animals: red with physical, plus the built-in quarantine.
        let cattle = [line("0102.29", 100, "USD", "KH")];
        let c = rules.assess(&input("D-cattle", Direction::Import, &cattle, established()));
        assert_eq!(c.lane, Lane::Red);
        assert_eq!(c.checks, [Check::Document, Check::Physical, Check::Quarantine]);
        assert!(c.fired.iter().any(|r| r.id == "goods.live-animals" && r.reason == "HS 0102.29 matches prefix 01."));
    }

    #[test]
    fn origin_and_prefix_must_hold_on_the_same_line() {
        let rules = RuleSet::parse(
            "version = \"t\"\n[[rule]]\nid = \"cn.steel\"\ndescription = \"d\"\nhs_prefix = [\"72\"]\norigin = [\"CN\"]\n\
             direction = \"import\"\nperishable = false\ntrader_no_shows_at_least = 2\nlane = \"red\"\n",
        )
        .unwrap();
        let trader = TraderHistory { declarations: 10, refusals: 0, no_shows: 2 };
        let mixed = [line("7214", 1, "USD", "VN"), line("8471", 1, "USD", "CN")];
        assert_eq!(rules.assess(&input("D-1", Direction::Import, &mixed, trader)).lane, Lane::Green);
        let chinese = [line("7214.20", 1, "USD", "CN")];
        let a = rules.assess(&input("D-1", Direction::Import, &chinese, trader));
        assert_eq!(a.lane, Lane::Red);
        assert_eq!(
            a.fired[0].reason,
            "HS 7214.20 matches prefix 72 and originates in CN; the declaration is an import; \
             the goods are not perishable; the trader missed 2 booked slots, at least 2."
        );
        assert_eq!(rules.assess(&input("D-1", Direction::Export, &chinese, trader)).lane, Lane::Green);
    }

    #[test]
    fn declared_perishable_goods_are_perishable_and_a_rule_without_conditions_always_fires() {
        let rules = RuleSet::parse(
            "version = \"t\"\n[[rule]]\nid = \"all\"\ndescription = \"d\"\nchecks = [\"document\"]\n\
             [[rule]]\nid = \"fresh\"\ndescription = \"d\"\nperishable = true\nlane = \"yellow\"\n",
        )
        .unwrap();
        let lines = [line("3004", 1, "USD", "VN")];
        let mut i = input("D-1", Direction::Import, &lines, established());
        i.declared_perishable = true;
        let a = rules.assess(&i);
        assert!(a.perishable);
        assert_eq!(a.fired[0].reason, "Applies to every declaration.");
        assert_eq!(a.fired[1].reason, "The goods are declared perishable.");
        assert_eq!(a.to_string(), "yellow: document (all, fresh)");
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["lane"], "yellow");
        assert_eq!(json["fired"][1]["id"], "fresh");
    }

    #[test]
    fn lanes_order_by_severity_and_imply_checks() {
        assert!(Lane::Green < Lane::Yellow && Lane::Yellow < Lane::Red);
        assert_eq!(implied_checks(Lane::Red), [Check::Document, Check::Physical]);
        assert_eq!(percent(0.05), "5%");
        assert_eq!(percent(0.005), "0.5%");
        assert_eq!(percent(1.0), "100%");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn hs_code() -> impl Strategy<Value = HsCode> {
            (1u8..=97, 0u8..100, prop::bool::ANY).prop_filter_map("chapter 77 is reserved", |(ch, sub, six)| {
                let text = if six { format!("{ch:02}{:02}{sub:02}", sub % 50) } else { format!("{ch:02}{sub:02}") };
                HsCode::parse(&text).ok()
            })
        }

        fn line_facts() -> impl Strategy<Value = LineFacts> {
            (
                hs_code(),
                any::<i64>(),
                prop::sample::select(vec!["USD", "VND", "KHR", "THB"]),
                prop::sample::select(vec!["VN", "KH", "LA", "CN", "TH"]),
            )
                .prop_map(|(hs, minor, cur, origin)| LineFacts {
                    hs,
                    value: money(minor, cur),
                    origin: CountryCode::parse(origin).unwrap(),
                })
        }

        fn fragment() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("[[rule]]\n".to_owned()),
                Just("version = \"v\"\n".to_owned()),
                Just("id = \"a\"\n".to_owned()),
                Just("description = \"d\"\n".to_owned()),
                Just("lane = \"red\"\n".to_owned()),
                Just("checks = [\"xray\"]\n".to_owned()),
                Just("value_over = { minor = 5, currency = \"USD\" }\n".to_owned()),
                "(hs_prefix|origin|sample_rate|seed|lane|checks|trader_[a-z_]{0,20}) = [-0-9.\"\\[\\], a-zA-Z]{0,12}\n",
                "\\PC{0,20}\n",
            ]
        }

        const PERMISSIVE: &str = "version = \"p\"\nseed = 3\n\
            [[rule]]\nid = \"a\"\ndescription = \"d\"\nsample_rate = 0.5\nlane = \"yellow\"\n\
            [[rule]]\nid = \"b\"\ndescription = \"d\"\nhs_prefix = [\"08\", \"72\"]\nchecks = [\"xray\"]\n";

        proptest! {
            #[test]
            fn parse_never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
                let _ = RuleSet::parse(&s);
            }

            #[test]
            fn parse_never_panics_on_rule_like_text(parts in prop::collection::vec(fragment(), 0..16)) {
                if let Err(e) = RuleSet::parse(&parts.concat()) {
                    prop_assert!(!e.to_string().contains('\n'));
                }
            }

            #[test]
            fn assess_never_panics_and_checks_include_the_lanes_implied_checks(
                id in "\\PC{0,20}",
                export in any::<bool>(),
                lines in prop::collection::vec(line_facts(), 0..6),
                declared_perishable in any::<bool>(),
                (declarations, refusals, no_shows) in (0u32..10, 0u32..3, 0u32..5),
                permissive in any::<bool>(),
            ) {
                let rules = if permissive { RuleSet::parse(PERMISSIVE).unwrap() } else { RuleSet::default_rules() };
                let input = AssessmentInput {
                    declaration_id: &id,
                    direction: if export { Direction::Export } else { Direction::Import },
                    lines: &lines,
                    declared_perishable,
                    trader: TraderHistory { declarations, refusals, no_shows },
                };
                let a = rules.assess(&input);
                for c in implied_checks(a.lane) {
                    prop_assert!(a.checks.contains(c), "{a}");
                }
                prop_assert!(a.checks.windows(2).all(|w| w[0] < w[1]), "sorted, unique: {a}");
                let quarantine = lines.iter().any(|l| l.hs.needs_quarantine());
                prop_assert_eq!(a.checks.contains(&Check::Quarantine) && a.fired.iter().any(|r| r.id == BUILTIN_QUARANTINE_ID), quarantine);
                prop_assert_eq!(a.perishable, declared_perishable || lines.iter().any(|l| l.hs.is_perishable()));
                prop_assert_eq!(&a, &rules.assess(&input));
                for r in &a.fired {
                    prop_assert!(r.reason.ends_with('.') && !r.reason.contains('\n'));
                }
            }
        }
    }
}
