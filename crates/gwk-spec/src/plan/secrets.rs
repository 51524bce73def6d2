//! Secret values, kept apart from the plan.
//!
//! A [`Plan`](super::Plan) names secrets; their values live only here.
//! `Debug` and `Display` show names, never values, so a stray `{:?}` in a
//! log cannot leak one; [`Secrets::redact`] blanks values out of text a job
//! printed.

use std::collections::BTreeMap;
use std::fmt;

/// Secret values by name.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    values: BTreeMap<String, String>,
}

impl Secrets {
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Sets (or replaces) secret `name`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The value of secret `name`: for the container's environment only.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The names that have a value, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret value replaced by `***` (longest values
    /// first, so a value that contains another is blanked whole). Empty
    /// values are left alone: there is nothing to hide.
    pub fn redact(&self, text: &str) -> String {
        let mut values: Vec<&str> = self
            .values
            .values()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut out = text.to_string();
        for v in values {
            if out.contains(v) {
                out = out.replace(v, "***");
            }
        }
        out
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values.keys().map(|k| (k, "***")))
            .finish()
    }
}

impl fmt::Display for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.names().collect();
        write!(f, "{} secret(s): {}", names.len(), names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_values() {
        let mut s = Secrets::new();
        s.insert("HF_TOKEN", "hf_abcdef123");
        s.insert("SHORT", "abc");
        assert_eq!(s.get("HF_TOKEN"), Some("hf_abcdef123"));
        for shown in [format!("{s:?}"), format!("{s}"), format!("{s:#?}")] {
            assert!(shown.contains("HF_TOKEN"), "{shown}");
            assert!(
                !shown.contains("hf_abcdef123") && !shown.contains("abc"),
                "{shown}"
            );
        }
        assert_eq!(s.redact("token=hf_abcdef123 and abc"), "token=*** and ***");
    }
}
