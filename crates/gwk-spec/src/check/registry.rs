//! The registry of rules: which rule owns which codes, in which family, in
//! which source file, and how far its fixes can be trusted.
//!
//! Every [`Code`] is owned by exactly one rule (a test asserts it), and a
//! rule reports only the codes it owns (a test runs every fixture and the
//! corpus through [`super::analyze_traced`] and asserts that too, and
//! another scans the sources). The rules read the workflow, never one
//! another's findings, so the order of [`RULES`] does not matter: adding a
//! rule is its file, one entry here, its fixtures and its docs section.

use super::Ctx;
use super::{actions, dag, io, names, references, resources, scripts, secrets, shape, triggers};
use super::{security, unused};
use crate::diagnostic::Code;

/// The families the rules are grouped in (docs/rules.md, SARIF tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The file as YAML: the parser's findings.
    Syntax,
    /// The tree against the schema.
    Shape,
    Names,
    References,
    Dag,
    Io,
    Actions,
    Secrets,
    Triggers,
    Scripts,
    Resources,
    /// Credentials, untrusted code and what leaks into logs.
    Security,
    /// The `# gwk: ignore[...]` comments themselves.
    Suppressions,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Syntax => "syntax",
            Family::Shape => "shape",
            Family::Names => "names",
            Family::References => "references",
            Family::Dag => "dag",
            Family::Io => "io",
            Family::Actions => "actions",
            Family::Secrets => "secrets",
            Family::Triggers => "triggers",
            Family::Scripts => "scripts",
            Family::Resources => "resources",
            Family::Security => "security",
            Family::Suppressions => "suppressions",
        }
    }
}

/// How the rule runs.
#[derive(Clone, Copy)]
pub enum Stage {
    /// Inside the YAML parser (before any tree exists).
    Parse,
    /// Over the parsed tree and the typed workflow.
    Check(CheckFn),
    /// While the ignore comments are applied, after every other rule.
    Suppress,
}

/// A rule's check function (opaque outside the crate: only
/// [`super::analyze`] calls it).
#[derive(Clone, Copy)]
pub struct CheckFn(pub(crate) fn(&mut Ctx));

/// Whether a rule's fixes keep what a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixes {
    /// The rule offers no fix.
    None,
    /// Its fixes only make the file say what it evidently means (a typo, a
    /// quote, a spelling Gradient rejected); applying them needs no review.
    Safe,
    /// Its fixes change what a run does (a secret instead of a literal, an
    /// `https://` URL): offered, but a person decides.
    Unsafe,
}

/// One rule: a check function and the codes only it reports.
pub struct Rule {
    /// A short name for the rule (its file's name).
    pub name: &'static str,
    pub family: Family,
    /// The codes this rule reports, and no other rule does.
    pub codes: &'static [Code],
    /// The files (under `crates/gwk-spec/src/`) that build its findings.
    pub sources: &'static [&'static str],
    pub stage: Stage,
    pub fixes: Fixes,
}

use Code::*;

/// Every rule. The order is the order rules run in; it changes nothing but
/// the order findings are pushed in (they are sorted afterwards).
pub static RULES: &[Rule] = &[
    Rule {
        name: "yaml",
        family: Family::Syntax,
        codes: &[YamlSyntax, DuplicateKey],
        sources: &["syntax/build.rs", "check/yaml.rs"],
        stage: Stage::Parse,
        fixes: Fixes::None,
    },
    Rule {
        name: "shape",
        family: Family::Shape,
        codes: &[
            UnknownKey,
            InvalidType,
            MissingKey,
            InvalidValue,
            UnknownAction,
            Deprecated,
            IgnoredParam,
        ],
        sources: &["check/shape.rs"],
        stage: Stage::Check(CheckFn(shape::run)),
        fixes: Fixes::Safe,
    },
    Rule {
        name: "names",
        family: Family::Names,
        codes: &[InvalidName, InvalidEnvName],
        sources: &["check/names.rs"],
        stage: Stage::Check(CheckFn(names::check)),
        fixes: Fixes::None,
    },
    Rule {
        name: "references",
        family: Family::References,
        codes: &[
            UnknownJob,
            UnknownOutput,
            UnknownWorkflowInput,
            InvalidReference,
            MissingNeeds,
        ],
        sources: &["check/references.rs"],
        stage: Stage::Check(CheckFn(references::check)),
        fixes: Fixes::Safe,
    },
    Rule {
        name: "unused",
        family: Family::References,
        codes: &[UnusedOutput, UnusedWorkflowInput],
        sources: &["check/unused.rs"],
        stage: Stage::Check(CheckFn(unused::check)),
        fixes: Fixes::None,
    },
    Rule {
        name: "dag",
        family: Family::Dag,
        codes: &[DependencyCycle],
        sources: &["check/dag.rs"],
        stage: Stage::Check(CheckFn(dag::check)),
        fixes: Fixes::None,
    },
    Rule {
        name: "io",
        family: Family::Io,
        codes: &[IoType, DatasetRef, UnknownDataset, DatasetConflict],
        sources: &["check/io.rs"],
        stage: Stage::Check(CheckFn(io::check)),
        fixes: Fixes::Safe,
    },
    Rule {
        name: "actions",
        family: Family::Actions,
        codes: &[ActionIo],
        sources: &["check/actions.rs"],
        stage: Stage::Check(CheckFn(actions::check)),
        fixes: Fixes::None,
    },
    Rule {
        name: "secrets",
        family: Family::Secrets,
        codes: &[SecretSyntax, UnknownSecret],
        sources: &["check/secrets.rs"],
        stage: Stage::Check(CheckFn(secrets::check)),
        fixes: Fixes::Safe,
    },
    Rule {
        name: "triggers",
        family: Family::Triggers,
        codes: &[InvalidFilter, GithubContext],
        sources: &["check/triggers.rs"],
        stage: Stage::Check(CheckFn(triggers::check)),
        fixes: Fixes::Safe,
    },
    Rule {
        name: "scripts",
        family: Family::Scripts,
        codes: &[FoldedScript, ReadonlyInputs, UnknownIoPath],
        sources: &["check/scripts.rs"],
        stage: Stage::Check(CheckFn(scripts::check)),
        fixes: Fixes::Safe,
    },
    Rule {
        name: "resources",
        family: Family::Resources,
        codes: &[
            MissingInstanceType,
            UnknownInstanceType,
            RetiredInstanceType,
        ],
        sources: &["check/resources.rs"],
        stage: Stage::Check(CheckFn(resources::check)),
        // A new instance type is a different machine: the run changes.
        fixes: Fixes::Unsafe,
    },
    Rule {
        name: "security",
        family: Family::Security,
        codes: &[
            HardcodedCredential,
            SecretInLog,
            UnpinnedImage,
            InsecureUrl,
            RemoteScript,
            OversharedSecret,
        ],
        sources: &["check/security.rs", "check/security/"],
        stage: Stage::Check(CheckFn(security::check)),
        fixes: Fixes::Unsafe,
    },
    Rule {
        name: "suppress",
        family: Family::Suppressions,
        codes: &[UnknownIgnore],
        sources: &["check/suppress.rs"],
        stage: Stage::Suppress,
        fixes: Fixes::Safe,
    },
];

/// How GitHub code scanning ranks a security finding (`security-severity`
/// in SARIF, a CVSS-like score from 0 to 10); `None` for other codes.
pub fn security_severity(code: Code) -> Option<&'static str> {
    Some(match code {
        HardcodedCredential => "9.0",
        RemoteScript => "8.0",
        SecretInLog => "7.0",
        InsecureUrl => "5.5",
        UnpinnedImage => "4.0",
        OversharedSecret => "3.0",
        _ => return None,
    })
}

/// The rule named `name` (a name of [`RULES`]).
pub fn rule(name: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.name == name)
        .expect("a rule of the registry")
}

/// The rule that owns `code`.
pub fn owner(code: Code) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.codes.contains(&code))
        .expect("every code has an owner (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_exactly_one_owner() {
        for &code in Code::ALL {
            let owners: Vec<&str> = RULES
                .iter()
                .filter(|r| r.codes.contains(&code))
                .map(|r| r.name)
                .collect();
            assert_eq!(owners.len(), 1, "`{code}` is owned by {owners:?}");
        }
    }

    #[test]
    fn security_codes_and_only_they_have_a_security_severity() {
        for &code in Code::ALL {
            let security = owner(code).family == Family::Security;
            assert_eq!(security_severity(code).is_some(), security, "{code}");
        }
    }

    #[test]
    fn rule_names_are_unique() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(RULES[..i].iter().all(|o| o.name != r.name), "{}", r.name);
        }
    }
}
