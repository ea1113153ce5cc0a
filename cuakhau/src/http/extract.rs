//! Extractors whose failures are problem+json naming the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body. Malformed JSON → 400; a value of the wrong type or an unknown or
/// missing field → 422 naming its path (`gate_a.country`).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::BadRequest { field: None, detail: "the body must be JSON (Content-Type: application/json)".into() });
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest { field: None, detail: format!("unreadable body: {e}") })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON bytes with the error mapping of [`ApiJson`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => {
            de.end().map_err(|e| ApiError::BadRequest { field: None, detail: format!("malformed JSON: {e}") })?;
            Ok(v)
        }
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::BadRequest { field: None, detail: format!("malformed JSON: {inner}") });
            }
            let message = strip_position(&inner.to_string());
            // A missing field is reported by serde at the parent: name the field itself.
            let field = match message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
                Some(missing) if path == "." => missing.to_string(),
                Some(missing) => format!("{path}.{missing}"),
                None if path == "." => "body".to_string(),
                None => path,
            };
            Err(ApiError::field(field, message))
        }
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Query parameters. Unknown parameters → 400 naming them (a typo in a filter must not
/// silently return everything).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        serde_path_to_error::deserialize::<_, T>(de).map(ApiQuery).map_err(|e| {
            let inner = e.into_inner().to_string();
            let field = inner
                .strip_prefix("unknown field `")
                .and_then(|m| m.split('`').next())
                .unwrap_or("query")
                .to_string();
            ApiError::bad_param(field, inner)
        })
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}
