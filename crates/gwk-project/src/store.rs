//! The dataset store's names: what `gwk datasets list`, `gwk plan`'s
//! resolver and the language server's completion all count as a dataset.
//! A dataset is a directory of the store with a valid name
//! ([`is_safe_name`]) that holds `versions/` (the runner creates it with
//! the dataset; crates/gwk-run/src/datasets has the layout). Anything else
//! there (`.journal`, a half-made or foreign directory, a stray file) is
//! not a dataset.

use std::path::Path;

/// The subdirectory that makes a directory of the store a dataset.
pub const VERSIONS_DIR: &str = "versions";

/// Whether `s` can be a run id, a dataset name, version or tag: it must be
/// usable as one path component and as part of a container name.
pub fn is_safe_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s != "."
        && s != ".."
        && !s.starts_with('-')
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether the store at `root` has dataset `name`.
pub fn has_dataset(root: &Path, name: &str) -> bool {
    is_safe_name(name) && root.join(name).join(VERSIONS_DIR).is_dir()
}

/// The datasets of the store at `root`, by name (none when it does not
/// exist).
pub fn dataset_names(root: &Path) -> std::io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| has_dataset(root, n))
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_names_with_versions_are_datasets() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "b-set/versions/v1",
            "a.set/versions",
            "half-made",
            ".journal/versions",
            "-dash/versions",
            "sp ace/versions",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("note.txt"), "x").unwrap();
        assert_eq!(dataset_names(root).unwrap(), ["a.set", "b-set"]);
        assert!(has_dataset(root, "b-set") && !has_dataset(root, "half-made"));
        assert!(!has_dataset(root, "../a.set"));
        assert!(dataset_names(&root.join("none")).unwrap().is_empty());
    }

    #[test]
    fn names_are_one_path_component() {
        for good in ["mnist", "a.b-c_d", "20261122-050833-123-a1b2c3"] {
            assert!(is_safe_name(good), "{good}");
        }
        for bad in ["", ".", "..", ".x", "-x", "a/b", "a b", &"x".repeat(129)] {
            assert!(!is_safe_name(bad), "{bad}");
        }
    }
}
