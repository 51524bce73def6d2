//! Secret values never leave gwk in clear: everything it prints or saves
//! (log lines, events, run records, error messages) passes through a
//! [`Redactor`] first.

/// What a secret value is replaced with.
pub const MASK: &str = "***";

#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is masked whole.
    values: Vec<String>,
}

impl Redactor {
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut values = Vec::new();
        for s in secrets {
            let s = s.as_ref();
            if s.is_empty() {
                continue;
            }
            values.push(s.to_string());
            // A multi-line secret (a key file) reaches logs line by line.
            if s.contains('\n') {
                values.extend(
                    s.lines()
                        .map(str::trim)
                        .filter(|l| l.len() >= 4)
                        .map(str::to_string),
                );
            }
        }
        values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        values.dedup();
        Redactor { values }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        out
    }

    /// Redacts every string inside a JSON value.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        if self.values.is_empty() {
            return;
        }
        match value {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_occurrence_longest_first() {
        let r = Redactor::new(["hunter2", "hunter2-admin", ""]);
        assert_eq!(
            r.redact("pw=hunter2-admin and hunter2; hunter"),
            "pw=*** and ***; hunter"
        );
        let mut j = serde_json::json!({"a": ["x hunter2"], "b": 1});
        r.redact_json(&mut j);
        assert_eq!(j, serde_json::json!({"a": ["x ***"], "b": 1}));
    }

    #[test]
    fn masks_lines_of_multi_line_secrets() {
        let r = Redactor::new(["-----BEGIN KEY-----\nabcdef123456\n-----END KEY-----"]);
        assert_eq!(r.redact("line: abcdef123456"), "line: ***");
    }
}
