//! `# gwk: ignore[code, ...]` comments.
//!
//! At the end of a line, the comment silences the named rules on that line;
//! on a line of its own, on the next line. Without `[...]` it silences every
//! rule there.

use crate::diagnostic::Code;
use std::collections::HashMap;

/// Which codes are silenced on which (0-based) lines; `None` means all.
#[derive(Debug, Default)]
pub struct Ignores {
    lines: HashMap<usize, Option<Vec<Code>>>,
}

impl Ignores {
    pub fn scan(text: &str) -> Ignores {
        let mut ignores = Ignores::default();
        if !text.contains("gwk:") {
            return ignores; // the common case: nothing to scan for
        }
        for (n, line) in text.lines().enumerate() {
            let Some(hash) = line.find('#') else { continue };
            let Some(codes) = parse_comment(&line[hash + 1..]) else {
                continue;
            };
            let own_line = line[..hash].trim().is_empty();
            let target = if own_line { n + 1 } else { n };
            ignores.add(target, codes);
        }
        ignores
    }

    fn add(&mut self, line: usize, codes: Option<Vec<Code>>) {
        let entry = self.lines.entry(line).or_insert(Some(Vec::new()));
        match (entry.as_mut(), codes) {
            (Some(existing), Some(more)) => existing.extend(more),
            _ => *entry = None,
        }
    }

    pub fn silences(&self, line: usize, code: Code) -> bool {
        match self.lines.get(&line) {
            None => false,
            Some(None) => true,
            Some(Some(codes)) => codes.contains(&code),
        }
    }
}

/// The codes of a comment body like ` gwk: ignore[unknown-job]`; `Some(None)`
/// for a bare `gwk: ignore`, `None` when it is no ignore comment.
fn parse_comment(body: &str) -> Option<Option<Vec<Code>>> {
    let rest = body.trim_start().strip_prefix("gwk:")?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    let Some(list) = rest.strip_prefix('[') else {
        return rest
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
            .then_some(None);
    };
    let list = &list[..list.find(']')?];
    Some(Some(
        list.split(',')
            .filter_map(|c| Code::parse(c.trim()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_own_line_comments() {
        let text = "a: 1 # gwk: ignore[unknown-key]\n# gwk: ignore[unknown-job, missing-needs]\nb: 2\nc: 3 # gwk: ignore\nd: 4 # gwk: ignored\n";
        let i = Ignores::scan(text);
        assert!(i.silences(0, Code::UnknownKey));
        assert!(!i.silences(0, Code::UnknownJob));
        assert!(i.silences(2, Code::UnknownJob));
        assert!(i.silences(2, Code::MissingNeeds));
        assert!(!i.silences(2, Code::UnknownKey));
        assert!(i.silences(3, Code::DependencyCycle));
        assert!(!i.silences(4, Code::UnknownKey));
    }
}
