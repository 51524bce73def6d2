//! Writing a fixed workflow file back: atomically, and only over the very
//! bytes gwk read. The new text goes to a temporary file in the same
//! directory (so the rename cannot cross file systems), gets the old file's
//! permissions, and replaces it by a rename: a reader sees the old file or
//! the new one, never half of one. Just before the rename the file is read
//! again; if it is no longer what gwk fixed (an editor saved it meanwhile),
//! the temporary file is dropped and the file left alone.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file was left alone.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}: not valid UTF-8 (at byte {1}); left alone, gwk fixes only UTF-8 text")]
    NotUtf8(PathBuf, usize),
    #[error(
        "{0}: changed on disk while gwk was fixing it; left alone (run `gwk check --fix` again)"
    )]
    Changed(PathBuf),
    #[error("{0}: cannot write the fixed file: {1}; left alone")]
    Io(PathBuf, std::io::Error),
}

/// Replaces `path`, whose content was `original`, by `text`.
pub fn replace(path: &Path, original: &[u8], text: &str) -> Result<(), Refusal> {
    // Through a symbolic link, the file it points to is the one to replace
    // (renaming over the link would turn it into a copy).
    let target = std::fs::canonicalize(path).map_err(|e| Refusal::Io(path.to_path_buf(), e))?;
    let io = |e| Refusal::Io(path.to_path_buf(), e);
    let dir = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target).map_err(io)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".gwk-fix-")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(text.as_bytes()).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(temp.path(), permissions).map_err(io)?;
    let now = std::fs::read(&target).map_err(io)?;
    if now != original {
        return Err(Refusal::Changed(path.to_path_buf()));
    }
    temp.persist(&target).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_keeps_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.yaml");
        std::fs::write(&path, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace(&path, b"old\n", "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_file_changed_meanwhile_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.yaml");
        std::fs::write(&path, "saved by an editor\n").unwrap();
        let err = replace(&path, b"what gwk read\n", "fixed\n").unwrap_err();
        assert!(matches!(err, Refusal::Changed(_)));
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "saved by an editor\n"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn through_a_symbolic_link_the_target_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        let link = dir.path().join("link.yaml");
        std::fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace(&link, b"old\n", "new\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
    }
}
