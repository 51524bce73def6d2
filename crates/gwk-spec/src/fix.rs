//! Applying the checker's fixes to a whole file: the one way `gwk check
//! --fix`, `--diff` and the language server's `source.fixAll.gwk` agree on.
//!
//! Each finding offers its fixes best first; a rule's entry in the
//! [`registry`] says whether its fixes can be applied without review
//! ([`Fixes::Safe`]) or change what a run does ([`Fixes::Unsafe`]). One
//! pass applies the best fix of every finding whose fixes are allowed,
//! skipping a fix whose edits meet an edit already taken; the file is then
//! checked again and the next pass takes what is left, up to
//! [`MAX_PASSES`]. Text outside the edited spans is kept byte for byte.

use crate::check::registry::{self, Fixes};
use crate::check::{Analysis, analyze, apply_edits};
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Edit, Fix};
use crate::syntax::Span;

/// Passes before gwk stops re-checking: a fix that keeps re-creating the
/// finding it fixes must not loop forever.
pub const MAX_PASSES: usize = 10;

/// Which fixes may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixLevel {
    /// Only fixes of rules marked [`Fixes::Safe`].
    Safe,
    /// Also those marked [`Fixes::Unsafe`].
    Unsafe,
}

impl FixLevel {
    /// Whether the fixes of `code` may be applied at this level.
    pub fn allows(self, code: Code) -> bool {
        match registry::owner(code).fixes {
            Fixes::None => false,
            Fixes::Safe => true,
            Fixes::Unsafe => self == FixLevel::Unsafe,
        }
    }
}

/// The fixes one pass applies to the findings `diags` of one text: the
/// best fix of each allowed finding, in source order, leaving out any fix
/// that meets an edit already chosen (the next pass retries it).
pub fn choose(diags: &[Diagnostic], level: FixLevel) -> Vec<&Fix> {
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut taken: Vec<&Edit> = Vec::new();
    for d in diags {
        if !level.allows(d.code) {
            continue;
        }
        let Some(fix) = d.fixes.first() else {
            continue;
        };
        if fix.edits.is_empty() {
            continue;
        }
        // Two findings may carry the very same fix (one typo, two rules).
        if chosen.iter().any(|c| c.edits == fix.edits) {
            continue;
        }
        if fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| meets(e.span, t.span)))
        {
            continue;
        }
        taken.extend(fix.edits.iter());
        chosen.push(fix);
    }
    chosen
}

/// Whether two edits' spans cannot both be applied in one go: they share
/// text, or one is an insertion at a point the other touches (which edit's
/// text would come first is then undefined).
fn meets(a: Span, b: Span) -> bool {
    let empty = a.start == a.end || b.start == b.end;
    if empty {
        a.start <= b.end && b.start <= a.end
    } else {
        a.start < b.end && b.start < a.end
    }
}

/// A file after fixing.
#[derive(Clone, Debug)]
pub struct Fixed {
    /// The text after every pass.
    pub text: String,
    /// How many fixes were applied, over all passes.
    pub applied: usize,
    /// The passes that applied something.
    pub passes: usize,
    /// The check of [`Fixed::text`]: what is left.
    pub analysis: Analysis,
}

impl Fixed {
    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }
}

/// Applies every allowed fix to `text`, re-checking between passes. A pass
/// that would make the file less YAML than it was (more syntax errors) is
/// undone and fixing stops there.
pub fn fix_text(text: &str, config: &Config, level: FixLevel) -> Fixed {
    fix_text_with(text, config, level, &|_| {})
}

/// [`fix_text`], with `more` adding fixes to each check's findings before a
/// pass chooses among them: fixes only the host can compute (the CLI pins
/// an image to the digest the local Docker engine has), which the pure
/// checker cannot.
pub fn fix_text_with(
    text: &str,
    config: &Config,
    level: FixLevel,
    more: &dyn Fn(&mut Analysis),
) -> Fixed {
    let mut current = text.to_string();
    let (mut analysis, mut broken) = selected(&current, config);
    more(&mut analysis);
    let mut applied = 0;
    let mut passes = 0;
    while passes < MAX_PASSES {
        let fixes = choose(&analysis.diagnostics, level);
        if fixes.is_empty() {
            break;
        }
        let edits: Vec<Edit> = fixes.iter().flat_map(|f| f.edits.clone()).collect();
        let next = apply_edits(&current, &edits);
        if next == current {
            break;
        }
        let (mut next_analysis, next_broken) = selected(&next, config);
        if next_broken > broken {
            break;
        }
        more(&mut next_analysis);
        broken = next_broken;
        applied += fixes.len();
        passes += 1;
        current = next;
        analysis = next_analysis;
    }
    Fixed {
        text: current,
        applied,
        passes,
        analysis,
    }
}

/// The check of `text` with only the findings the project reports (a
/// finding that is not reported is not fixed either), and its count of
/// YAML syntax errors, reported or not: a fix must never break the YAML.
fn selected(text: &str, config: &Config) -> (Analysis, usize) {
    let mut a = analyze(text, config);
    let broken = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::YamlSyntax)
        .count();
    a.select(&config.selection);
    (a, broken)
}

/// The edits that turn `before` into `after`: one replacement of the part
/// between their common start and common end (none when they are equal).
/// An editor applies it as one change, whatever the passes were.
pub fn edits_between(before: &str, after: &str) -> Vec<Edit> {
    if before == after {
        return Vec::new();
    }
    let mut start = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(start) || !after.is_char_boundary(start) {
        start -= 1;
    }
    let max_tail = (before.len() - start).min(after.len() - start);
    let mut tail = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take(max_tail)
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - tail)
        || !after.is_char_boundary(after.len() - tail)
    {
        tail -= 1;
    }
    vec![Edit {
        span: Span::new(start, before.len() - tail),
        text: after[start..after.len() - tail].to_string(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            text: text.to_string(),
        }
    }

    #[test]
    fn overlapping_and_touching_insertions_meet() {
        assert!(meets(Span::new(0, 4), Span::new(3, 6)));
        assert!(!meets(Span::new(0, 3), Span::new(3, 6)));
        assert!(meets(Span::new(3, 3), Span::new(3, 6)));
        assert!(meets(Span::new(3, 3), Span::new(0, 3)));
        assert!(meets(Span::new(3, 3), Span::new(3, 3)));
        assert!(!meets(Span::new(2, 2), Span::new(3, 6)));
    }

    #[test]
    fn edits_between_cover_only_the_change_and_rebuild_the_text() {
        for (a, b) in [
            ("abcdef", "abXYef"),
            ("abc", "abc"),
            ("aaa", "aaaa"),
            ("aaaa", "aa"),
            ("é𝄞z", "é𝄟z"),
            ("", "new"),
            ("old", ""),
        ] {
            let edits = edits_between(a, b);
            assert_eq!(apply_edits(a, &edits), b, "{a:?} -> {b:?}");
            assert_eq!(edits.is_empty(), a == b);
        }
        assert_eq!(edits_between("abcdef", "abXYef"), vec![edit(2, 4, "XY")]);
    }

    #[test]
    fn a_second_pass_applies_what_overlapped_the_first() {
        // Two typos in one key path: both fixes are taken (they do not
        // meet), and a second fix over the same span waits a pass.
        let text = "jobs:\n  A:\n    uses: script@v1\n    with:\n      script: echo hi\n      imag: ubuntu:22.04\n    resources:\n      instance-type: C4\n";
        let fixed = fix_text(text, &Config::default(), FixLevel::Safe);
        assert!(
            fixed.text.contains("      image: ubuntu:22.04\n"),
            "{}",
            fixed.text
        );
        assert!(fixed.applied >= 1);
        let again = fix_text(&fixed.text, &Config::default(), FixLevel::Safe);
        assert_eq!(again.text, fixed.text);
        assert_eq!(again.applied, 0);
    }

    #[test]
    fn unsafe_fixes_wait_for_the_unsafe_level() {
        let text = "jobs:\n  A:\n    uses: script@v1\n    with:\n      script: curl http://example.com/x -o x\n      image: ubuntu:22.04\n    resources:\n      instance-type: C4\n";
        assert!(FixLevel::Unsafe.allows(Code::InsecureUrl));
        assert!(!FixLevel::Safe.allows(Code::InsecureUrl));
        let safe = fix_text(text, &Config::default(), FixLevel::Safe);
        assert!(safe.text.contains("http://example.com"));
        let unsafe_ = fix_text(text, &Config::default(), FixLevel::Unsafe);
        assert!(
            unsafe_.text.contains("https://example.com"),
            "{}",
            unsafe_.text
        );
    }

    #[test]
    fn the_same_fix_from_two_findings_is_applied_once() {
        let fix = Fix {
            message: "m".into(),
            edits: vec![edit(1, 2, "x")],
        };
        let d = |code| Diagnostic::new(code, Span::new(1, 2), "m").with_fix(fix.clone());
        let diags = vec![d(Code::UnknownKey), d(Code::InvalidValue)];
        assert_eq!(choose(&diags, FixLevel::Safe).len(), 1);
        let none = vec![d(Code::InvalidName)];
        assert!(choose(&none, FixLevel::Unsafe).is_empty());
    }
}
