//! Accounts and roles: who may do what, and the one guard every capability uses.
//!
//! Roles: `admin` (everything), `officer` (scoped to one or more gates, with an
//! agency), `trader` (scoped to one company), `viewer` (read-only). A request carries
//! a [`Principal`] when it presents a valid bearer token (API) or session cookie (web
//! UI). The router states the roles each route needs ([`require`]); handlers then call
//! [`Principal::ensure_gate`] / [`Principal::ensure_company`] so that scope is checked
//! in one place and later capabilities cannot forget it.
//!
//! # Layout
//! - [`password`]: argon2 hashing.
//! - [`store`]: users, companies, gate scopes, API tokens, sessions.
//! - [`limit`]: the failed-login rate limiter.
//! - [`middleware`]: resolving the principal of a request; the role guard.
//! - [`pages`]: login and logout pages; [`api`]: `/api/v1/me`.

pub mod api;
pub mod limit;
pub mod middleware;
pub mod pages;
pub mod password;
pub mod store;

pub use middleware::{authenticate, require};

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::ApiError;

word_enum!(
    /// What a user is.
    Role {
        /// Manages the registry and accounts.
        Admin => "admin",
        /// Works at one or more gates, for one agency.
        Officer => "officer",
        /// Declares shipments for one company.
        Trader => "trader",
        /// Reads.
        Viewer => "viewer",
    }
);

word_enum!(
    /// The agency an officer works for.
    Agency {
        /// Biên phòng.
        BorderGuard => "border_guard",
        /// Hải quan.
        Customs => "customs",
        /// Kiểm dịch.
        Quarantine => "quarantine",
    }
);

/// The authenticated user of a request, with its scope.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Principal {
    /// User id.
    pub user_id: String,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Agency (officers).
    pub agency: Option<Agency>,
    /// Company (traders).
    pub company_id: Option<String>,
    /// Gates the user is scoped to (officers).
    pub gates: Vec<String>,
}

impl Principal {
    /// 403 unless the role is one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this action needs the role {}; you are {}",
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or "),
                self.role
            )))
        }
    }

    /// Whether the user may act on `gate_id`: admins everywhere, officers at their gates.
    pub fn can_act_on_gate(&self, gate_id: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer => self.gates.iter().any(|g| g == gate_id),
            Role::Trader | Role::Viewer => false,
        }
    }

    /// Whether the user may read the clearance dashboard of `gate_id`: admins and viewers
    /// (read-only managers at provinces and ministries) every gate's, officers their own
    /// gates', traders none.
    pub fn can_read_gate_dashboard(&self, gate_id: &str) -> bool {
        match self.role {
            Role::Admin | Role::Viewer => true,
            Role::Officer => self.can_act_on_gate(gate_id),
            Role::Trader => false,
        }
    }

    /// 403 unless [`Self::can_act_on_gate`].
    pub fn ensure_gate(&self, gate_id: &str) -> Result<(), ApiError> {
        if self.can_act_on_gate(gate_id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("you are not scoped to gate {gate_id}")))
        }
    }

    /// 403 unless the user is an admin or a trader of `company_id`.
    pub fn ensure_company(&self, company_id: &str) -> Result<(), ApiError> {
        let ok = self.role == Role::Admin || (self.role == Role::Trader && self.company_id.as_deref() == Some(company_id));
        if ok {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("you are not scoped to company {company_id}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(gates: &[&str]) -> Principal {
        Principal {
            user_id: "u".into(),
            username: "o".into(),
            role: Role::Officer,
            agency: Some(Agency::Customs),
            company_id: None,
            gates: gates.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn an_officer_acts_only_at_their_own_gates() {
        let p = officer(&["vn-moc-bai"]);
        assert!(p.ensure_gate("vn-moc-bai").is_ok());
        assert!(matches!(p.ensure_gate("vn-xa-mat"), Err(ApiError::Forbidden(_))));
    }

    #[test]
    fn a_trader_sees_only_their_company() {
        let p = Principal { role: Role::Trader, company_id: Some("c1".into()), gates: vec![], ..officer(&[]) };
        assert!(p.ensure_company("c1").is_ok());
        assert!(p.ensure_company("c2").is_err());
        assert!(p.ensure_gate("vn-moc-bai").is_err());
        assert!(p.require_role(&[Role::Admin]).is_err());
    }
}
