//! Finding workflow files and the gwk.toml that applies to each.

use anyhow::{Context, Result, bail};
use gwk_spec::Config;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where workflows live in a repository.
pub const WORKFLOW_DIR: &str = ".gradient/workflows";

/// The workflow files named by `paths` (files as given; directories
/// searched for `.yaml` and `.yml`, sorted), or those under
/// `.gradient/workflows/` when no path is given.
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

fn yaml_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?;
        for e in entries {
            let e = e?;
            let path = e.path();
            // The entry's own type (no stat per file); a link is followed.
            let is_dir = match e.file_type() {
                Ok(t) if t.is_symlink() => path.is_dir(),
                Ok(t) => t.is_dir(),
                Err(_) => path.is_dir(),
            };
            if is_dir {
                stack.push(path);
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

/// gwk.toml files found upward from workflow files, read once each.
#[derive(Default)]
pub struct Configs {
    by_dir: Mutex<HashMap<PathBuf, std::sync::Arc<Config>>>,
}

impl Configs {
    /// The config that applies to `file`: the nearest gwk.toml in its
    /// directory or above, or the defaults.
    pub fn for_file(&self, file: &Path) -> Result<std::sync::Arc<Config>> {
        let start = if file.as_os_str() == "-" {
            std::env::current_dir()?
        } else {
            let abs = std::path::absolute(file)?;
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        };
        if let Some(c) = self.by_dir.lock().expect("lock").get(&start) {
            return Ok(c.clone());
        }
        let config = std::sync::Arc::new(match find_upward(&start) {
            Some(path) => load(&path)?,
            None => Config::default(),
        });
        self.by_dir
            .lock()
            .expect("lock")
            .insert(start, config.clone());
        Ok(config)
    }
}

/// The nearest gwk.toml at or above `dir`.
pub fn find_upward(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(gwk_spec::config::FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads and checks one gwk.toml.
pub fn load(path: &Path) -> Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Config::parse(&text).with_context(|| format!("{} is not a valid gwk.toml", path.display()))
}
