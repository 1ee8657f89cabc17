//! Any bytes: parsing never panics, and printing the tree gives the bytes back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(df) = dfsplit::syntax::parse_bytes(data) {
        assert_eq!(df.print().as_bytes(), data);
        let _ = df.to_buildkit_dump();
        let _ = df.to_outline();
        for item in &df.items {
            let span = item.span();
            assert!(span.start <= span.end && span.end <= data.len());
        }
    }
});
