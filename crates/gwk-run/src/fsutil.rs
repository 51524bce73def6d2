//! File-system helpers: content hashes of trees, copies, atomic writes.

use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// What a tree holds, in numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeSummary {
    /// `sha256:<hex>` over every path, kind, mode and content, in path order.
    pub hash: String,
    pub files: u64,
    pub bytes: u64,
}

/// Hashes a file or a directory tree. Two trees have the same hash when
/// they hold the same paths with the same kinds, executable bits and
/// contents (or symlink targets); times and owners do not count, nor does
/// a `.git` directory at the top of the tree.
pub fn hash_tree(root: &Path) -> io::Result<TreeSummary> {
    let mut manifest = Sha256::new();
    let mut summary = TreeSummary::default();
    let meta = fs::symlink_metadata(root)?;
    if meta.is_file() {
        hash_entry(root, "", &meta, &mut manifest, &mut summary)?;
    } else {
        let mut entries = Vec::new();
        walk(root, Path::new(""), &mut entries)?;
        // A clone's `.git` holds times and reflogs that differ on every
        // clone of the same commit; its work tree is what jobs read.
        entries.retain(|e| !e.starts_with(".git"));
        entries.sort();
        for rel in entries {
            let path = root.join(&rel);
            let meta = fs::symlink_metadata(&path)?;
            hash_entry(
                &path,
                &rel.to_string_lossy(),
                &meta,
                &mut manifest,
                &mut summary,
            )?;
        }
    }
    summary.hash = format!("sha256:{}", hex(&manifest.finalize()));
    Ok(summary)
}

fn hash_entry(
    path: &Path,
    rel: &str,
    meta: &fs::Metadata,
    manifest: &mut Sha256,
    summary: &mut TreeSummary,
) -> io::Result<()> {
    let kind = meta.file_type();
    let line = if kind.is_symlink() {
        format!("{rel}\0l\0{}\n", fs::read_link(path)?.to_string_lossy())
    } else if kind.is_dir() {
        format!("{rel}\0d\n")
    } else if kind.is_file() {
        let exec = meta.permissions().mode() & 0o111 != 0;
        let digest = hash_file(path)?;
        summary.files += 1;
        summary.bytes += meta.len();
        format!("{rel}\0f\0{}\0{digest}\n", if exec { "x" } else { "-" })
    } else {
        // Sockets, fifos, devices: only their name and kind count.
        format!("{rel}\0o\n")
    };
    manifest.update(line.as_bytes());
    Ok(())
}

fn hash_file(path: &Path) -> io::Result<String> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Every path under `dir`, relative to the walk's root.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for e in fs::read_dir(dir.join(rel))? {
        let e = e?;
        let r = rel.join(e.file_name());
        let is_dir = e.file_type()?.is_dir();
        out.push(r.clone());
        if is_dir {
            walk(dir, &r, out)?;
        }
    }
    Ok(())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sha256 of a string, as hex.
pub fn sha256_hex(text: &[u8]) -> String {
    hex(&Sha256::digest(text))
}

/// Copies a file or a directory tree (symlinks as symlinks, modes kept).
pub fn copy_tree(src: &Path, dst: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(src)?;
    let kind = meta.file_type();
    if kind.is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(src)?, dst)
    } else if kind.is_dir() {
        fs::create_dir_all(dst)?;
        for e in fs::read_dir(src)? {
            let e = e?;
            copy_tree(&e.path(), &dst.join(e.file_name()))?;
        }
        fs::set_permissions(dst, meta.permissions())
    } else if kind.is_file() {
        fs::copy(src, dst).map(|_| ())
    } else {
        Ok(())
    }
}

/// Writes a file so that readers see the old content or the new, never a
/// part: a temporary file beside it (`.<name>.tmp-<pid>-<random>`, see
/// [`temp_owner`]), then a rename.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}{TEMP_MARK}{}-{}",
        std::process::id(),
        crate::ids::random_hex(3)
    ));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

const TEMP_MARK: &str = ".tmp-";

/// The pid of the process writing a temporary file of [`write_atomic`],
/// from its name; `None` for any other name. A temporary whose process is
/// gone was left by a crash (`gwk gc` removes it).
pub fn temp_owner(file_name: &str) -> Option<i32> {
    let rest = file_name.strip_prefix('.')?;
    let (_, owner) = rest.rsplit_once(TEMP_MARK)?;
    let (pid, random) = owner.split_once('-')?;
    if random.is_empty() || !random.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes a directory tree by first renaming it aside (into `trash_dir`),
/// so nobody ever sees it half-deleted.
pub fn remove_tree_atomically(path: &Path, trash_dir: &Path) -> io::Result<()> {
    fs::create_dir_all(trash_dir)?;
    let aside = trash_dir.join(format!(
        "{}-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        crate::ids::random_hex(4)
    ));
    fs::rename(path, &aside)?;
    fs::remove_dir_all(&aside)
}

/// Size of a file or tree in bytes (0 when it does not exist).
pub fn tree_bytes(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_dir() {
        fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| tree_bytes(&e.path())).sum())
            .unwrap_or(0)
    } else {
        meta.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_sees_content_names_and_modes_but_not_times() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        fs::create_dir_all(a.join("sub")).unwrap();
        fs::write(a.join("sub/x.txt"), "hello").unwrap();
        fs::write(a.join("y"), "").unwrap();
        let h1 = hash_tree(&a).unwrap();
        assert_eq!((h1.files, h1.bytes), (2, 5));

        let b = t.path().join("b");
        copy_tree(&a, &b).unwrap();
        assert_eq!(hash_tree(&b).unwrap(), h1);

        fs::write(b.join("sub/x.txt"), "hellO").unwrap();
        assert_ne!(hash_tree(&b).unwrap().hash, h1.hash);
        fs::write(b.join("sub/x.txt"), "hello").unwrap();
        fs::set_permissions(b.join("y"), fs::Permissions::from_mode(0o755)).unwrap();
        assert_ne!(hash_tree(&b).unwrap().hash, h1.hash);
        fs::set_permissions(b.join("y"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::rename(b.join("y"), b.join("z")).unwrap();
        assert_ne!(hash_tree(&b).unwrap().hash, h1.hash);
    }

    #[test]
    fn temporaries_name_their_writer() {
        assert_eq!(temp_owner(".run.json.tmp-4242-a1b2c3"), Some(4242));
        assert_eq!(temp_owner(".a.tmp-b.json.tmp-7-ff"), Some(7));
        assert_eq!(temp_owner("run.json"), None);
        assert_eq!(temp_owner(".hidden"), None);
        assert_eq!(temp_owner(".x.tmp-12-"), None);
        assert_eq!(temp_owner(".x.tmp-12-zz"), None);
        assert_eq!(temp_owner(".x.tmp-pid-ab"), None);
    }

    #[test]
    fn atomic_write_and_removal_leave_no_temporaries() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("f");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(fs::read_to_string(&f).unwrap(), "two");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
        let d = t.path().join("d");
        fs::create_dir_all(d.join("x")).unwrap();
        remove_tree_atomically(&d, &t.path().join(".trash")).unwrap();
        assert!(!d.exists());
        assert_eq!(fs::read_dir(t.path().join(".trash")).unwrap().count(), 0);
    }
}
