//! The gate-pair CSV importer never panics, and every row is either accepted or
//! rejected with a line number.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let parsed = cuakhau::registry::import::parse_csv(data);
    for r in &parsed.rejected {
        assert!(!r.reason.is_empty());
    }
});
