//! The corpus in `../shared/corpus` and the verdicts its SOURCES.md gives:
//! the section an entry is in is its verdict. One reader, so every test
//! agrees on which files are valid.

use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Must check with no error (and plan, and export).
    Valid,
    /// Not YAML, or against the schema: errors expected.
    Invalid,
    /// Valid shape, but a mistake the checker should report.
    Warned,
}

/// One file of the corpus.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub verdict: Verdict,
    pub path: PathBuf,
}

/// The verdict of a SOURCES.md section, from its heading.
pub fn section_verdict(heading: &str) -> Verdict {
    let h = heading.to_lowercase();
    if h.contains("not parseable") || h.contains("schema-invalid") {
        Verdict::Invalid
    } else if h.contains("semantically broken") || h.contains("questionable") {
        Verdict::Warned
    } else {
        // Docs examples, Paperspace-authored repositories, forks, third-party
        // files that look valid, valid specs in a location Gradient does not
        // read: all valid specs.
        Verdict::Valid
    }
}

/// The entries of SOURCES.md's text, in its order; `dir` is where they lie.
pub fn parse(sources: &str, dir: &std::path::Path) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut current = None;
    for line in sources.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            current = Some(section_verdict(heading));
        } else if let (Some(verdict), Some(rest)) = (current, line.strip_prefix("- **`")) {
            let name = rest.split('`').next().unwrap_or_default().to_string();
            let path = dir.join(&name);
            out.push(Entry {
                name,
                verdict,
                path,
            });
        }
    }
    out
}

/// `../shared/corpus`, when it is there.
pub fn dir() -> Option<PathBuf> {
    let dir = crate::shared_dir()?.join("corpus");
    dir.join("SOURCES.md").is_file().then_some(dir)
}

/// Every entry of SOURCES.md, or `None` when the corpus is absent (the
/// caller says SKIPPED). A SOURCES.md that is there but unreadable fails.
pub fn entries() -> Option<Vec<Entry>> {
    let dir = dir()?;
    let sources = std::fs::read_to_string(dir.join("SOURCES.md"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("SOURCES.md").display()));
    Some(parse(&sources, &dir))
}

/// The valid files, sorted by name; each must exist.
pub fn valid_files() -> Option<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = entries()?
        .into_iter()
        .filter(|e| e.verdict == Verdict::Valid)
        .map(|e| {
            assert!(
                e.path.is_file(),
                "SOURCES.md lists {} but it is not there",
                e.name
            );
            e.path
        })
        .collect();
    out.sort();
    assert!(
        out.len() > 20,
        "SOURCES.md lists only {} valid files",
        out.len()
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_takes_the_verdict_of_its_section() {
        let text = "# Corpus\n\n## Third-party files that look valid (2)\n\n- **`a.yaml`**  \n  repo x\n- **`b.yaml`**\n## Questionable values (1)\n- **`c.yaml`**\n## Schema-invalid specs (1)\n- **`d.yaml`**\n## Valid spec in a location Gradient does not read (1)\n- **`e.yaml`**\n";
        let got: Vec<(String, Verdict)> = parse(text, std::path::Path::new("/c"))
            .into_iter()
            .map(|e| (e.name, e.verdict))
            .collect();
        let want = [
            ("a.yaml", Verdict::Valid),
            ("b.yaml", Verdict::Valid),
            ("c.yaml", Verdict::Warned),
            ("d.yaml", Verdict::Invalid),
            ("e.yaml", Verdict::Valid),
        ];
        assert_eq!(
            got,
            want.map(|(n, v)| (n.to_string(), v)).to_vec(),
            "verdicts by section"
        );
    }

    #[test]
    fn the_real_corpus_has_every_kind_when_it_is_there() {
        let Some(entries) = entries() else {
            crate::skipped("the corpus reader was not tried on it", "../shared/corpus");
            return;
        };
        for v in [Verdict::Valid, Verdict::Invalid, Verdict::Warned] {
            assert!(entries.iter().any(|e| e.verdict == v), "no {v:?} entry");
        }
        assert!(entries.len() >= 70, "only {} entries", entries.len());
    }
}
