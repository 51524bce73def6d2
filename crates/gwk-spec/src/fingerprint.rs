//! A finding's fingerprint: what stays the same while unrelated parts of
//! the file change, so that a baseline (`gwk check --write-baseline`) and
//! code scanning (SARIF `partialFingerprints`) recognise it after lines
//! are inserted above it or elsewhere in the file.
//!
//! It hashes the code, the YAML path of the node the finding starts in
//! (`jobs.train.with.script`; keys by name, list items by position) and
//! the flagged text with its whitespace collapsed; never a line number.
//! The hash is 64-bit FNV-1a, written out in hex: stable across gwk
//! versions and platforms, which a baseline kept in git needs.

use crate::check::Analysis;
use crate::diagnostic::Diagnostic;
use crate::syntax::PathStep;

/// The fingerprint of `d`, a finding of `analysis` (whose tree must still
/// be there: the YAML path is read from it).
pub fn fingerprint(analysis: &Analysis, d: &Diagnostic) -> String {
    let mut h = Fnv::new();
    h.write(d.code.as_str().as_bytes());
    h.write(&[0]);
    if let Some(root) = &analysis.root {
        for step in root.path_to(d.span.start) {
            match step {
                PathStep::Key(e) | PathStep::Value(e) => {
                    h.write(b"k");
                    h.write(e.key_str().unwrap_or("?").as_bytes());
                }
                PathStep::Item(i, _) => {
                    h.write(b"i");
                    h.write(i.to_string().as_bytes());
                }
            }
            h.write(&[0]);
        }
    }
    let flagged = analysis.text.get(d.span.start..d.span.end).unwrap_or("");
    for word in flagged.split_whitespace() {
        h.write(word.as_bytes());
        h.write(b" ");
    }
    format!("{:016x}", h.0)
}

/// 64-bit FNV-1a: tiny, and defined by its constants, not by a library.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, analyze};

    fn prints(text: &str) -> Vec<(String, String)> {
        let a = analyze(text, &Config::default());
        a.diagnostics
            .iter()
            .map(|d| (d.code.to_string(), fingerprint(&a, d)))
            .collect()
    }

    const WF: &str = "jobs:\n  A:\n    uses: script@v1\n    with:\n      script: echo hi\n      image: ubuntu\n    resources:\n      instance-type: C4\n  B:\n    needs: [Z]\n    uses: script@v1\n    with:\n      script: echo hi\n      image: ubuntu:22.04\n    resources:\n      instance-type: C4\n";

    #[test]
    fn survives_lines_inserted_above_and_edits_elsewhere() {
        let before = prints(WF);
        assert!(!before.is_empty());
        let shifted = format!("# a comment\n\n{WF}");
        assert_eq!(prints(&shifted), before);
        let edited = WF.replace(
            "script: echo hi\n      image: ubuntu:22.04",
            "script: echo bye\n      image: ubuntu:22.04",
        );
        assert_eq!(prints(&edited), before);
    }

    #[test]
    fn differs_by_code_place_and_text() {
        let p = prints(WF);
        let mut seen: Vec<&String> = p.iter().map(|(_, f)| f).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), p.len(), "{p:?}");
        let other = prints(&WF.replace("needs: [Z]", "needs: [Y]"));
        assert_ne!(other, p);
        assert_eq!(Fnv::new().0, 0xcbf2_9ce4_8422_2325);
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }
}
