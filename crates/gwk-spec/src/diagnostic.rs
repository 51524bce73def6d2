//! What a check finds: one type for the terminal, JSON, SARIF, GitHub
//! annotations and the language server alike.

use crate::syntax::Span;
use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $sev:ident, $summary:literal; )*) => {
        /// A rule's stable code. The names never change once released: users
        /// write them in `# gwk: ignore[...]` comments and in `gwk.toml`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in the order of docs/rules.md.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// One line on what the rule reports.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            pub fn parse(s: &str) -> Option<Code> {
                match s { $( $name => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    YamlSyntax = "yaml-syntax", Error, "the file is not valid YAML";
    DuplicateKey = "duplicate-key", Error, "a key given twice in one mapping";
    UnknownKey = "unknown-key", Error, "a key the spec does not have at that place";
    InvalidType = "invalid-type", Error, "a value of the wrong YAML type";
    MissingKey = "missing-key", Error, "a required key is absent";
    InvalidValue = "invalid-value", Error, "a value outside its set or format";
    UnknownAction = "unknown-action", Error, "`uses` names no Gradient action";
    UnknownJob = "unknown-job", Error, "`needs` or a reference names no job";
    UnknownOutput = "unknown-output", Error, "a reference names an output the job does not declare";
    UnknownWorkflowInput = "unknown-workflow-input", Error, "`workflow.inputs.X` names no workflow input";
    MissingNeeds = "missing-needs", Error, "a job reads another job's output without needing it";
    DependencyCycle = "dependency-cycle", Error, "jobs that need each other in a cycle";
    InvalidReference = "invalid-reference", Error, "a job input that is neither a reference nor an inline input";
    IoType = "io-type", Error, "an input or output used against the rules of its type";
    SecretSyntax = "secret-syntax", Error, "a secret written in a syntax Gradient does not have";
    GithubContext = "github-context", Warning, "`context.event.github.*` that a manual run cannot resolve";
    FoldedScript = "folded-script", Warning, "a multi-line script that YAML joins into one line";
    DatasetConflict = "dataset-conflict", Warning, "two jobs that may run at once write the same dataset";
    UnknownInstanceType = "unknown-instance-type", Warning, "an instance type outside the catalog";
    MissingInstanceType = "missing-instance-type", Warning, "a job with no instance type and no default";
    ReadonlyInputs = "readonly-inputs", Warning, "a command that writes under the read-only `/inputs`";
    UnusedOutput = "unused-output", Info, "a volume or string output that no job reads";
    Deprecated = "deprecated", Warning, "a key or value Gradient retired";
    IgnoredParam = "ignored-param", Warning, "an action parameter Gradient accepted but never used";
    UnknownIoPath = "unknown-io-path", Warning, "a command that uses `/inputs/X` or `/outputs/X` the job does not declare";
    UnusedWorkflowInput = "unused-workflow-input", Info, "a workflow input that no job reads";
    InvalidEnvName = "invalid-env-name", Warning, "an environment variable name a shell cannot use";
    UnknownSecret = "unknown-secret", Warning, "a secret that gwk.toml's `secrets` does not list";
    UnknownDataset = "unknown-dataset", Warning, "a dataset that gwk.toml's `datasets` does not list";
    UnknownIgnore = "unknown-ignore", Warning, "a `# gwk: ignore[...]` comment that names no rule";
    InvalidName = "invalid-name", Error, "a job, input or output name that a reference cannot name";
    InvalidFilter = "invalid-filter", Error, "a trigger filter that matches no branch or tag";
    DatasetRef = "dataset-ref", Error, "a dataset input or output without a valid `with.ref`";
    ActionIo = "action-io", Error, "a job's inputs or outputs that do not fit what its action reads and writes";
    RetiredInstanceType = "retired-instance-type", Warning, "an instance type Paperspace retired";
    HardcodedCredential = "hardcoded-credential", Error, "a literal credential where a `secret:` belongs";
    SecretInLog = "secret-in-log", Warning, "a script that prints a secret into the job's log";
    UnpinnedImage = "unpinned-image", Warning, "an image without a tag or digest, or with `latest`";
    InsecureUrl = "insecure-url", Warning, "a download over `http://` or `git://`";
    RemoteScript = "remote-script", Warning, "a script that pipes a download into a shell";
    OversharedSecret = "overshared-secret", Info, "a secret in `defaults.env` that jobs get without using it";
}

/// Codes split from an older, broader code: `# gwk: ignore[old]` and
/// `old = "..."` in gwk.toml's `[rules]` keep applying to them.
const SPLIT_FROM: &[(Code, &[Code])] = &[
    (Code::InvalidName, &[Code::InvalidValue]),
    (Code::InvalidFilter, &[Code::InvalidValue]),
    (Code::DatasetRef, &[Code::InvalidValue, Code::MissingKey]),
    (
        Code::ActionIo,
        &[Code::MissingKey, Code::IoType, Code::InvalidValue],
    ),
    (Code::RetiredInstanceType, &[Code::Deprecated]),
];

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// The older codes this one was split from (empty for most).
    pub fn formerly(self) -> &'static [Code] {
        SPLIT_FROM
            .iter()
            .find(|(c, _)| *c == self)
            .map_or(&[], |(_, old)| old)
    }

    /// Whether a name written by a user (an ignore comment, a `[rules]`
    /// key) that means `named` applies to this code: the code itself, or
    /// the code it was split from.
    pub fn answers_to(self, named: Code) -> bool {
        self == named || self.formerly().contains(&named)
    }
}

/// Where docs/rules.md is published; each rule is a section there.
pub const RULES_URL: &str = "https://github.com/gwk-dev/gwk/blob/main/docs/rules.md";

impl Code {
    /// The rule's section of docs/rules.md, which the CLI's SARIF and the
    /// language server's diagnostics link to.
    pub fn docs_url(self) -> String {
        format!("{RULES_URL}#{}", self.as_str())
    }
}

/// A secondary location that explains the finding (the other key of a
/// duplicate, every edge of a cycle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One replacement of the source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// A mechanical fix: a title and the edits that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn replace(message: impl Into<String>, span: Span, text: impl Into<String>) -> Fix {
        Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                text: text.into(),
            }],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
    /// Ranges of the source that hold a credential (all but its first four
    /// characters): every output blanks them in its snippets, and no
    /// message of the file repeats them.
    pub mask: Vec<Span>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            span,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
            mask: Vec::new(),
        }
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    /// The order every front end shows findings in: by position, then code.
    pub fn sort(diags: &mut [Diagnostic]) {
        diags.sort_by(|a, b| {
            (a.span.start, a.span.end, a.code, &a.message).cmp(&(
                b.span.start,
                b.span.end,
                b.code,
                &b.message,
            ))
        });
    }
}

/// Counts by severity, as every output format's summary shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(diags: &[Diagnostic]) -> Counts {
        let mut c = Counts::default();
        for d in diags {
            c.add(d.severity);
        }
        c
    }

    pub fn add(&mut self, sev: Severity) {
        match sev {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }

    pub fn merge(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_codes_answer_to_their_old_names() {
        assert!(Code::ActionIo.answers_to(Code::MissingKey));
        assert!(Code::InvalidName.answers_to(Code::InvalidValue));
        assert!(!Code::InvalidName.answers_to(Code::MissingKey));
        assert!(!Code::InvalidValue.answers_to(Code::InvalidName));
        for (new, old) in SPLIT_FROM {
            assert!(!old.contains(new), "{new}");
        }
    }

    #[test]
    fn codes_round_trip_and_are_kebab_case() {
        for &code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{code}"
            );
        }
    }
}
