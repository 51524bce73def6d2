//! Rule selection: which findings are reported at all. gwk.toml's `select`,
//! `ignore` and `min-severity` keys and `gwk check`'s flags of the same
//! names share these names and this one reading of them.
//!
//! A name is a code (`unknown-job`), an older code that later codes were
//! split from (`invalid-value` also names `invalid-name`, as `[rules]` and
//! ignore comments read it), or a family of docs/rules.md (`security`).

use crate::check::registry::{self, RULES};
use crate::diagnostic::{Code, Severity};
use crate::suggest;

/// A rule name that names no code and no family.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{name}`{}; use a code or a family of docs/rules.md", hint.as_ref().map(|h| format!(" (did you mean `{h}`?)")).unwrap_or_default())]
pub struct UnknownName {
    pub name: String,
    pub hint: Option<&'static str>,
}

/// The families' names, as docs/rules.md and `--select` spell them.
fn families() -> Vec<registry::Family> {
    let mut seen: Vec<registry::Family> = Vec::new();
    for r in RULES {
        if !seen.contains(&r.family) {
            seen.push(r.family);
        }
    }
    seen
}

/// The codes `name` stands for.
pub fn codes_named(name: &str) -> Result<Vec<Code>, UnknownName> {
    let name = name.trim();
    if let Some(named) = Code::parse(name) {
        return Ok(Code::ALL
            .iter()
            .copied()
            .filter(|c| c.answers_to(named))
            .collect());
    }
    if let Some(family) = families().into_iter().find(|f| f.as_str() == name) {
        return Ok(Code::ALL
            .iter()
            .copied()
            .filter(|c| registry::owner(*c).family == family)
            .collect());
    }
    let candidates = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .chain(families().into_iter().map(|f| f.as_str()));
    Err(UnknownName {
        name: name.to_string(),
        hint: suggest::best(name, candidates),
    })
}

/// The codes all of `names` stand for (each name may be a comma-separated
/// list, as `--select a,b` gives it).
pub fn codes_of<S: AsRef<str>>(names: &[S]) -> Result<Vec<Code>, UnknownName> {
    let mut out = Vec::new();
    for list in names {
        for name in list.as_ref().split(',').filter(|n| !n.trim().is_empty()) {
            for c in codes_named(name)? {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    Ok(out)
}

/// Which findings are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only these codes (`None`: every code).
    pub select: Option<Vec<Code>>,
    /// Never these codes (wins over `select`).
    pub ignore: Vec<Code>,
    /// Findings below this severity are dropped.
    pub min_severity: Option<Severity>,
}

impl Selection {
    /// Whether a finding of `code` at `severity` is reported.
    pub fn keeps(&self, code: Code, severity: Severity) -> bool {
        self.select.as_ref().is_none_or(|s| s.contains(&code))
            && !self.ignore.contains(&code)
            && self.min_severity.is_none_or(|m| severity >= m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_names_its_codes_and_an_old_code_its_splits() {
        let security = codes_named("security").unwrap();
        assert!(security.contains(&Code::HardcodedCredential));
        assert!(security.contains(&Code::RemoteScript));
        assert!(!security.contains(&Code::UnknownJob));
        let old = codes_named("invalid-value").unwrap();
        assert!(old.contains(&Code::InvalidValue) && old.contains(&Code::InvalidName));
        assert_eq!(codes_named("unknown-job").unwrap(), [Code::UnknownJob]);
        assert_eq!(
            codes_of(&["unknown-job, dag"]).unwrap(),
            [Code::UnknownJob, Code::DependencyCycle]
        );
    }

    #[test]
    fn an_unknown_name_is_named_with_a_did_you_mean() {
        let e = codes_named("unknwon-job").unwrap_err();
        assert_eq!(e.hint, Some("unknown-job"));
        let msg = e.to_string();
        assert!(msg.contains("`unknwon-job`") && msg.contains("did you mean `unknown-job`"));
        let e = codes_of(&["unknown-job,securty"]).unwrap_err();
        assert_eq!((e.name.as_str(), e.hint), ("securty", Some("security")));
        assert!(codes_named("zzzzzzzz").unwrap_err().hint.is_none());
    }

    #[test]
    fn keeps_what_is_selected_not_ignored_and_severe_enough() {
        let s = Selection {
            select: Some(vec![Code::UnknownJob, Code::UnusedOutput]),
            ignore: vec![Code::UnusedOutput],
            min_severity: None,
        };
        assert!(s.keeps(Code::UnknownJob, Severity::Error));
        assert!(!s.keeps(Code::UnusedOutput, Severity::Info));
        assert!(!s.keeps(Code::MissingNeeds, Severity::Error));
        let s = Selection {
            min_severity: Some(Severity::Warning),
            ..Selection::default()
        };
        assert!(s.keeps(Code::UnknownJob, Severity::Warning));
        assert!(!s.keeps(Code::UnknownJob, Severity::Info));
        assert!(Selection::default().keeps(Code::UnusedOutput, Severity::Info));
    }
}
