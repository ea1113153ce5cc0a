//! Configuration, layered: built-in defaults → a TOML file (`cuakhau.toml` in the
//! working directory, or `--config FILE`) → environment (`CUAKHAU_…`, and the usual
//! `DATABASE_URL`) → command-line flags. `cuakhau config print` shows the result with
//! secrets redacted. An example with every key is `cuakhau.example.toml`.

use std::fmt;
use std::path::Path;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Everything the node can be told.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Port to listen on.
    pub port: u16,
    /// `sqlite://FILE` (default `sqlite://cuakhau.db`) or `postgres://…`.
    pub database_url: String,
    /// `human` or `json` logs.
    pub log_format: LogFormat,
    /// `tracing` filter, e.g. `info,cuakhau=debug`.
    pub log_filter: String,
    /// Sessions of the web UI.
    pub session: SessionConfig,
    /// Rate limit of failed logins.
    pub login_limit: LoginLimit,
    /// Goods clearance: risk rules, slots, bookings.
    pub clearance: ClearanceConfig,
}

/// Goods-clearance settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClearanceConfig {
    /// Risk rules file (TOML); empty: the rules shipped with the platform.
    pub risk_rules: String,
    /// Slot length in minutes (divides a day).
    pub slot_minutes: i64,
    /// Trucks per slot, per direction.
    pub slot_capacity: i64,
    /// Places of each slot only perishables may take.
    pub perishable_reserved: i64,
    /// How many times a booking may be moved.
    pub max_moves: i64,
    /// Bookings a company may make per hour.
    pub company_bookings_per_hour: i64,
    /// Minutes after a slot's end before an absent truck is a no-show.
    pub no_show_grace_minutes: i64,
}

impl ClearanceConfig {
    /// Slot length in seconds.
    pub fn slot_minutes_secs(&self) -> i64 {
        self.slot_minutes * 60
    }
}

impl Default for ClearanceConfig {
    fn default() -> Self {
        ClearanceConfig {
            risk_rules: String::new(),
            slot_minutes: 30,
            slot_capacity: 12,
            perishable_reserved: 4,
            max_moves: 2,
            company_bookings_per_hour: 60,
            no_show_grace_minutes: 60,
        }
    }
}

/// Log output format.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// Web UI session settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Hours a session lasts.
    pub ttl_hours: i64,
    /// Mark the cookie `Secure` (set this when served over HTTPS, which a deployment
    /// should be; the default is off so that http://127.0.0.1:8080 works out of the box).
    pub secure_cookie: bool,
}

/// Failed-login limit: after `max_failures` failures for one user name or one client
/// address within `window_secs`, further attempts are refused until the window passes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoginLimit {
    /// Failures allowed per window.
    pub max_failures: u32,
    /// Window length in seconds.
    pub window_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1".into(),
            port: 8080,
            database_url: "sqlite://cuakhau.db".into(),
            log_format: LogFormat::Human,
            log_filter: "info".into(),
            session: SessionConfig { ttl_hours: 12, secure_cookie: false },
            login_limit: LoginLimit { max_failures: 5, window_secs: 900 },
            clearance: ClearanceConfig::default(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field("database_url", &redact_url(&self.database_url))
            .field("log_format", &self.log_format)
            .field("session", &self.session)
            .field("login_limit", &self.login_limit)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        if let Some(at) = rest.find('@') {
            let creds = &rest[..at];
            if let Some(colon) = creds.find(':') {
                return format!("{}://{}:***{}", &url[..scheme_end], &creds[..colon], &rest[at..]);
            }
        }
    }
    url.to_string()
}

impl Config {
    /// Loads defaults → file → environment. `file` must exist when given; without it,
    /// `./cuakhau.toml` is read if present.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(format!("config file {} does not exist", path.display()));
                }
                fig = fig.merge(Toml::file(path));
            }
            None => fig = fig.merge(Toml::file("cuakhau.toml")),
        }
        // CUAKHAU_ADMIN_PASSWORD (first start), CUAKHAU_LOG (log filter) and
        // CUAKHAU_TEST_* (test suite) are read elsewhere; every other CUAKHAU_ variable
        // must name a configuration key, so a typo is an error, not silently ignored.
        let env = Env::prefixed("CUAKHAU_")
            .filter(|k| {
                let k = k.as_str().to_ascii_lowercase();
                !(k == "admin_password" || k == "log" || k.starts_with("test_"))
            })
            .split("__");
        fig = fig.merge(env);
        if let Ok(url) = std::env::var("DATABASE_URL") {
            fig = fig.merge(Serialized::default("database_url", url));
        }
        let config: Config = fig.extract().map_err(|e| format!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    /// Rules serde cannot express.
    pub fn validate(&self) -> Result<(), String> {
        let c = &self.clearance;
        if !(5..=240).contains(&c.slot_minutes) || 1440 % c.slot_minutes != 0 {
            return Err("clearance.slot_minutes must divide a day (5–240)".into());
        }
        if c.slot_capacity < 1 || !(0..=c.slot_capacity).contains(&c.perishable_reserved) {
            return Err("clearance.slot_capacity must be ≥ 1 and perishable_reserved within 0..=slot_capacity".into());
        }
        if c.max_moves < 0 || c.company_bookings_per_hour < 1 || c.no_show_grace_minutes < 0 {
            return Err("clearance.max_moves and no_show_grace_minutes must be ≥ 0, company_bookings_per_hour ≥ 1".into());
        }
        Ok(())
    }

    /// The configuration as TOML with the database password redacted.
    pub fn to_toml_redacted(&self) -> String {
        let mut c = self.clone();
        c.database_url = redact_url(&c.database_url);
        toml_string(&c)
    }
}

fn toml_string(c: &Config) -> String {
    toml::to_string(c).unwrap_or_else(|e| format!("# cannot print the configuration: {e}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("sqlite://cuakhau.db"), "sqlite://cuakhau.db");
        assert!(!format!("{:?}", Config { database_url: "postgres://u:pw@h/d".into(), ..Config::default() }).contains("pw"));
    }

    #[test]
    fn printed_config_reads_back_as_the_same_config() {
        let c = Config::default();
        let text = c.to_toml_redacted();
        let back: Config = Figment::from(Toml::string(&text)).extract().unwrap();
        assert_eq!(back, c);
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    #[test]
    fn the_shipped_example_is_the_default_configuration() {
        let example = include_str!("../../cuakhau.example.toml");
        let c: Config = Figment::from(Toml::string(example)).extract().unwrap();
        assert_eq!(c, Config::default());
    }
}
