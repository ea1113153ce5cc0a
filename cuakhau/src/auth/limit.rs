//! Failed-login rate limiting, in memory: a fixed window per user name and per client
//! address. A node restarts rarely and an attacker gains at most one window from a
//! restart, which is acceptable for a login form in front of argon2.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures per key within a window.
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `max_failures` per `window` for each key.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginLimiter { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// Seconds to wait when any of `keys` is blocked, `None` when attempts are allowed.
    pub fn blocked(&self, keys: &[String]) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, start)| *n >= self.max_failures && now.duration_since(*start) < self.window)
            .map(|(_, start)| (self.window - now.duration_since(*start)).as_secs().max(1))
            .max()
    }

    /// Records one failure for each key.
    pub fn fail(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // Keep the map from growing without bound under a spray of names.
        if map.len() > 100_000 {
            map.retain(|_, (_, start)| now.duration_since(*start) < self.window);
        }
        for k in keys {
            let e = map.entry(k.clone()).or_insert((0, now));
            if now.duration_since(e.1) >= self.window {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    /// Forgets the user name's failures after a successful login (the address keeps its
    /// count, so one good account cannot be used to reset a spray).
    pub fn succeed(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_in_a_window_is_blocked() {
        let l = LoginLimiter::new(5, Duration::from_secs(60));
        let keys = vec!["user:admin".to_string(), "ip:127.0.0.1".to_string()];
        for _ in 0..5 {
            assert!(l.blocked(&keys).is_none());
            l.fail(&keys);
        }
        assert!(l.blocked(&keys).is_some());
        assert!(l.blocked(&["user:other".to_string()]).is_none());
    }

    #[test]
    fn a_window_expires() {
        let l = LoginLimiter::new(1, Duration::from_millis(1));
        let keys = vec!["user:a".to_string()];
        l.fail(&keys);
        std::thread::sleep(Duration::from_millis(5));
        assert!(l.blocked(&keys).is_none());
    }
}
