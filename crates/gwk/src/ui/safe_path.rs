//! A path a request names, resolved inside a directory the server chose,
//! or refused. The request's path is relative and made of plain names: no
//! `..`, no `.`, no absolute path, no backslash, no NUL; every component
//! on the way is looked at without following links, and a symbolic link is
//! never followed (a job's output may hold a link to `/etc`; the console
//! shows it as a link and serves nothing through it). At the end the
//! canonical path must still start with the canonical root.

use std::fmt;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// A component that is not a plain name (`..`, `.`, `/x`, `a\b`, NUL).
    NotPlain(String),
    /// A symbolic link on the way.
    Link(String),
    /// Nothing there.
    Missing(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotPlain(c) => write!(f, "`{c}` is not a plain file name"),
            Refused::Link(p) => write!(
                f,
                "{p} is a symbolic link; the console does not follow links"
            ),
            Refused::Missing(p) => write!(f, "no file {p}"),
        }
    }
}

/// `rel` (`a/b/c`, or empty for the root itself) inside `root`.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, Refused> {
    let mut path = root.to_path_buf();
    let mut shown = String::new();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        let plain = !part.contains(['\\', '\0'])
            && matches!(
                Path::new(part).components().collect::<Vec<_>>()[..],
                [Component::Normal(_)]
            );
        if !plain {
            return Err(Refused::NotPlain(part.to_string()));
        }
        path.push(part);
        if !shown.is_empty() {
            shown.push('/');
        }
        shown.push_str(part);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(Refused::Link(shown)),
            Ok(_) => {}
            Err(_) => return Err(Refused::Missing(shown)),
        }
    }
    // Belt and braces: whatever the checks above missed, the real path
    // must be under the real root.
    let (Ok(real_root), Ok(real)) = (root.canonicalize(), path.canonicalize()) else {
        return Err(Refused::Missing(shown));
    };
    if !real.starts_with(&real_root) {
        return Err(Refused::Link(shown));
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("root/sub")).unwrap();
        std::fs::write(t.path().join("root/sub/a.txt"), "a").unwrap();
        std::fs::write(t.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(t.path().join("secret.txt"), t.path().join("root/link"))
            .unwrap();
        std::os::unix::fs::symlink("/", t.path().join("root/sub/up")).unwrap();
        t
    }

    #[test]
    fn plain_names_resolve_inside() {
        let t = tree();
        let root = t.path().join("root");
        let p = resolve(&root, "sub/a.txt").unwrap();
        assert!(p.ends_with("root/sub/a.txt"));
        assert!(resolve(&root, "").unwrap().ends_with("root"));
        assert!(resolve(&root, "sub/").unwrap().ends_with("root/sub"));
    }

    #[test]
    fn dots_backslashes_and_nul_are_refused() {
        let t = tree();
        let root = t.path().join("root");
        for bad in [
            "..",
            "../secret.txt",
            "sub/../../secret.txt",
            ".",
            "sub/./a.txt",
            "..\\secret.txt",
            "a\0b",
        ] {
            assert!(
                matches!(resolve(&root, bad), Err(Refused::NotPlain(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn links_are_never_followed() {
        let t = tree();
        let root = t.path().join("root");
        assert_eq!(resolve(&root, "link"), Err(Refused::Link("link".into())));
        assert_eq!(
            resolve(&root, "sub/up/etc/passwd"),
            Err(Refused::Link("sub/up".into()))
        );
    }

    #[test]
    fn a_missing_file_is_missing() {
        let t = tree();
        assert_eq!(
            resolve(&t.path().join("root"), "nope"),
            Err(Refused::Missing("nope".into()))
        );
    }
}
