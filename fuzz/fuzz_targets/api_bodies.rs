//! JSON bodies of the registry API: parsing and validation never panic.
#![no_main]

use cuakhau::http::extract::parse_json;
use cuakhau::registry::service::{GateUpdate, NewPair, PairUpdate, Retirement};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(p) = parse_json::<NewPair>(data) {
        let _ = p.validate();
    }
    let _ = parse_json::<PairUpdate>(data);
    let _ = parse_json::<GateUpdate>(data);
    let _ = parse_json::<Retirement>(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = cuakhau::registry::model::PartialDate::parse(s);
        let _ = cuakhau::registry::model::parse_modes(s);
    }
});
