//! Every input the fuzzer ever crashed gwk with (fuzz/regressions/) is
//! checked again under the fuzz target's own invariants: no panic, and every
//! span and fix inside the text.

use gwk_spec::check::apply_edits;
use gwk_spec::{Config, analyze, analyze_bytes};
use std::path::PathBuf;

#[test]
fn fuzz_crashes_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let config = Config::default();
        let a = analyze_bytes(&bytes, &config);
        for d in &a.diagnostics {
            assert!(d.span.end <= a.text.len(), "{}: {d:?}", path.display());
            for r in &d.related {
                assert!(r.span.end <= a.text.len(), "{}: {r:?}", path.display());
            }
            for f in &d.fixes {
                analyze(&apply_edits(&a.text, &f.edits), &config);
            }
        }
        n += 1;
    }
    assert!(n > 0, "no regression inputs in {}", dir.display());
}
