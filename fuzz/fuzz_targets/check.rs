//! Parse + check any bytes: no input may panic, hang, or produce a finding
//! whose span or fix lies outside the text.

#![no_main]

use gwk_spec::check::apply_edits;
use gwk_spec::syntax::Encoding;
use gwk_spec::{Config, analyze, analyze_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = Config::default();
    let a = analyze_bytes(data, &config);
    let len = a.text.len();
    for d in &a.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end <= len, "{d:?}");
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
            let lc = a.line_index.line_col(&a.text, d.span.start, enc);
            a.line_index.offset(&a.text, lc, enc);
        }
        for r in &d.related {
            assert!(r.span.end <= len, "{r:?}");
        }
        for fix in &d.fixes {
            for e in &fix.edits {
                assert!(e.span.start <= e.span.end && e.span.end <= len, "{e:?}");
            }
            // A fix gives text that can be checked again.
            analyze(&apply_edits(&a.text, &fix.edits), &config);
        }
    }
    if let Some(root) = &a.root {
        let _ = root.to_json();
    }
});
