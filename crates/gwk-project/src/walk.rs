//! Which workflow files a directory holds: every `.yaml` and `.yml` file in
//! the whole tree, sorted, without descending into `.git`, `target` or
//! `node_modules` (a repository's history, build output and packages are
//! never workflows, and can be huge). `gwk check DIR`, `gwk check` with no
//! path (`.gradient/workflows/`) and the language server's scan of the
//! other workflow files all walk this way.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// Where workflows live in a project, relative to its root.
pub const WORKFLOW_DIR: &str = ".gradient/workflows";

/// Directories the walk never enters.
pub const SKIPPED_DIRS: [&str; 3] = [".git", "target", "node_modules"];

/// The workflow files named by `paths` (files as given; directories
/// walked with [`yaml_files_in`]), or those under `.gradient/workflows/`
/// of the current directory when no path is given.
pub fn workflow_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        let dir = Path::new(WORKFLOW_DIR);
        if !dir.is_dir() {
            bail!("no {WORKFLOW_DIR}/ directory here; name the files or directories to check");
        }
        return yaml_files_in(dir);
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(p.clone());
        } else if p.is_dir() {
            out.extend(yaml_files_in(p)?);
        } else if p.is_file() {
            out.push(p.clone());
        } else if p.exists() {
            bail!("{} is neither a file nor a directory", p.display());
        } else {
            bail!("{}: no such file or directory", p.display());
        }
    }
    Ok(out)
}

/// The workflow files of the project whose root is `root`: those under
/// `root/.gradient/workflows/` (none when it does not exist).
pub fn project_workflows(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(WORKFLOW_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    yaml_files_in(&dir)
}

/// `.yaml` and `.yml` files under `dir` at any depth, sorted. Links are
/// followed, except one back to a directory the walk is already inside
/// (which would never end).
pub fn yaml_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    // Each directory with the real paths of the directories it is in.
    let mut stack: Vec<(PathBuf, Vec<PathBuf>)> = vec![(dir.to_path_buf(), Vec::new())];
    while let Some((d, mut inside)) = stack.pop() {
        if let Ok(real) = std::fs::canonicalize(&d) {
            if inside.contains(&real) {
                continue;
            }
            inside.push(real);
        }
        let entries =
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?;
        for e in entries {
            let e = e.with_context(|| format!("cannot read {}", d.display()))?;
            let path = e.path();
            // The entry's own type (no stat per file); a link is followed.
            let is_dir = match e.file_type() {
                Ok(t) if t.is_symlink() => path.is_dir(),
                Ok(t) => t.is_dir(),
                Err(_) => path.is_dir(),
            };
            if is_dir {
                if !SKIPPED_DIRS.iter().any(|s| e.file_name() == *s) {
                    stack.push((path, inside.clone()));
                }
            } else if matches!(
                path.extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "jobs: {}\n").unwrap();
    }

    #[test]
    fn the_whole_tree_is_walked_but_git_target_and_node_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "a.yaml",
            "b.yml",
            "notes.txt",
            "1/2/3/4/5/6/deep.yaml",
            ".hidden/h.yaml",
            ".git/x.yaml",
            "target/t.yaml",
            "sub/node_modules/n.yaml",
            "sub/targets/kept.yaml",
        ] {
            touch(root, rel);
        }
        let got: Vec<String> = yaml_files_in(root)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            got,
            [
                ".hidden/h.yaml",
                "1/2/3/4/5/6/deep.yaml",
                "a.yaml",
                "b.yml",
                "sub/targets/kept.yaml"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_back_up_the_tree_does_not_loop() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "w/a.yaml");
        std::os::unix::fs::symlink(root.join("w"), root.join("w/again")).unwrap();
        let got = yaml_files_in(&root.join("w")).unwrap();
        assert_eq!(got, [root.join("w/a.yaml")]);
    }

    #[test]
    fn a_project_is_its_gradient_workflows() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(project_workflows(root).unwrap().is_empty());
        touch(root, ".gradient/workflows/x/w.yaml");
        touch(root, ".gradient/other.yaml");
        assert_eq!(
            project_workflows(root).unwrap(),
            [root.join(".gradient/workflows/x/w.yaml")]
        );
    }

    #[test]
    fn a_missing_path_is_named() {
        let e = workflow_files(&[PathBuf::from("/no/such/place.yaml")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/no/such/place.yaml: no such file or directory"
        );
    }
}
