//! Names Kubernetes and Argo accept, made from the names a Gradient file
//! uses.
//!
//! Gradient job names are free-form (`CloneRepo`, `Gaussian_Shading_ECC`,
//! `job-1`); Argo template and task names, claim names and label values must
//! be DNS-1123 labels: lower-case letters, digits and `-`, starting and
//! ending with a letter or digit, at most 63 characters. [`dns_label`]
//! turns one into the other readably (`CloneRepo` → `clone-repo`), and
//! [`Names`] keeps the results unique within one namespace by adding `-2`,
//! `-3`, ... to later clashes, in the order names are taken.

use std::collections::HashSet;
use std::sync::Arc;

/// The longest DNS-1123 label.
pub const MAX_LABEL: usize = 63;

/// `name` as a DNS-1123 label of at most `max` characters.
///
/// Word boundaries inside camelCase become `-` (`cloneStyleGAN2Repo` →
/// `clone-style-gan2-repo`), every other character outside `[a-z0-9]`
/// becomes `-`, runs of `-` collapse, and the ends are trimmed. A name that
/// would start with a digit gets a `j-` prefix, because Argo reads task
/// names inside `depends` expressions; a name with nothing usable left
/// becomes `job`.
pub fn dns_label(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary {
                out.push('-');
            }
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push('-');
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if !(c == '-' && (collapsed.is_empty() || collapsed.ends_with('-'))) {
            collapsed.push(c);
        }
    }
    let mut label = collapsed.trim_end_matches('-').to_string();
    if label.is_empty() {
        label = "job".to_string();
    } else if label.starts_with(|c: char| c.is_ascii_digit()) {
        label.insert_str(0, "j-");
    }
    truncate_label(&label, max)
}

/// Cuts a label to `max` characters without leaving a `-` at its end.
fn truncate_label(label: &str, max: usize) -> String {
    let cut: String = label.chars().take(max.max(1)).collect();
    cut.trim_end_matches('-').to_string()
}

/// Whether `s` is a DNS-1123 label.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LABEL
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// `name` as an Argo parameter or artifact name (`[A-Za-z0-9_-]+`, case
/// kept): every other character becomes `-`.
pub fn io_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "input".to_string() } else { s }
}

/// Whether a Kubernetes secret could hold a key of this name
/// (`[-._a-zA-Z0-9]+`).
pub fn is_secret_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `s` as a Kubernetes label value: at most 63 of `[A-Za-z0-9._-]`,
/// starting and ending with a letter or digit (`GPU+` → `GPU`).
pub fn label_value(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_LABEL)
        .collect();
    mapped
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// One namespace of unique names.
#[derive(Clone, Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
    /// Names taken in an enclosing namespace, shared rather than copied
    /// (every pod's volumes must avoid the workflow's claims).
    base: Option<Arc<Names>>,
    max: usize,
}

impl Names {
    /// A namespace of DNS-1123 labels of at most `max` characters.
    pub fn labels(max: usize) -> Names {
        Names {
            taken: HashSet::new(),
            base: None,
            max,
        }
    }

    /// A namespace of Argo parameter or artifact names.
    pub fn io_names() -> Names {
        Names::labels(253)
    }

    /// A new namespace whose names also avoid every name of `base`.
    pub fn layer(base: &Arc<Names>) -> Names {
        Names {
            taken: HashSet::new(),
            base: Some(base.clone()),
            max: base.max,
        }
    }

    fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name) || self.base.as_ref().is_some_and(|b| b.is_taken(name))
    }

    /// Takes `name` unless it or its base has it already.
    fn take(&mut self, name: &str) -> bool {
        !self.is_taken(name) && self.taken.insert(name.to_string())
    }

    /// Marks `name` as used, so later clashes get a suffix.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    /// A unique DNS-1123 label for `name`.
    pub fn label(&mut self, name: &str) -> String {
        let base = dns_label(name, self.max);
        self.unique(base)
    }

    /// A unique Argo parameter/artifact name for `name`.
    pub fn io(&mut self, name: &str) -> String {
        let base = io_name(name);
        self.unique(base)
    }

    fn unique(&mut self, base: String) -> String {
        if self.take(&base) {
            return base;
        }
        for n in 2.. {
            let suffix = format!("-{n}");
            let room = self.max.saturating_sub(suffix.len()).max(1);
            let candidate = format!("{}{suffix}", truncate_label(&base, room));
            if self.take(&candidate) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_the_names_they_come_from() {
        for (name, label) in [
            ("CloneRepo", "clone-repo"),
            ("cloneStyleGAN2Repo", "clone-style-gan2-repo"),
            ("GANRepo", "gan-repo"),
            ("Gaussian_Shading_ECC", "gaussian-shading-ecc"),
            ("job-1", "job-1"),
            ("job_1", "job-1"),
            ("--weird..name--", "weird-name"),
            ("1st-step", "j-1st-step"),
            ("日本", "job"),
            ("UNZIP", "unzip"),
            ("TrainModel", "train-model"),
        ] {
            let got = dns_label(name, MAX_LABEL);
            assert_eq!(got, label, "{name}");
            assert!(is_dns_label(&got), "{got}");
        }
    }

    #[test]
    fn long_names_are_cut_to_a_valid_label() {
        let long = "a".repeat(40) + "-" + &"b".repeat(40);
        let got = dns_label(&long, MAX_LABEL);
        assert_eq!(got.len(), MAX_LABEL);
        assert!(is_dns_label(&got));
        // A cut that would end on `-` drops it.
        let got = dns_label(&("a".repeat(62) + "-bbb"), MAX_LABEL);
        assert_eq!(got, "a".repeat(62));
    }

    #[test]
    fn clashes_get_numbered_suffixes_and_stay_valid() {
        let mut names = Names::labels(MAX_LABEL);
        names.reserve("main");
        assert_eq!(names.label("main"), "main-2");
        assert_eq!(names.label("job_1"), "job-1");
        assert_eq!(names.label("job-1"), "job-1-2");
        assert_eq!(names.label("Job-1"), "job-1-3");
        let long = "x".repeat(70);
        let a = names.label(&long);
        let b = names.label(&long);
        assert_eq!(a.len(), MAX_LABEL);
        assert_ne!(a, b);
        assert!(is_dns_label(&b) && b.ends_with("-2"), "{b}");
    }

    #[test]
    fn a_layer_avoids_the_names_of_its_base() {
        let mut base = Names::labels(MAX_LABEL);
        assert_eq!(base.label("outputs"), "outputs");
        let base = Arc::new(base);
        let mut a = Names::layer(&base);
        let mut b = Names::layer(&base);
        assert_eq!(a.label("outputs"), "outputs-2");
        assert_eq!(a.label("outputs"), "outputs-3");
        // Layers are independent of each other.
        assert_eq!(b.label("outputs"), "outputs-2");
    }

    #[test]
    fn io_names_keep_case_and_underscores() {
        let mut names = Names::io_names();
        assert_eq!(names.io("trained_Model"), "trained_Model");
        assert_eq!(names.io("a.b c"), "a-b-c");
        assert_eq!(names.io("a-b-c"), "a-b-c-2");
        assert!(is_secret_key("api_key.v2"));
        assert_eq!(label_value("GPU+"), "GPU");
        assert_eq!(label_value("A100-80G"), "A100-80G");
        assert_eq!(label_value("c5.xlarge"), "c5.xlarge");
        assert!(!is_secret_key("ephemeral:abc"));
    }
}
