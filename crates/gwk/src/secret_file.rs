//! Where secrets are read from when no `--secret-file` is given (a
//! contract shared with the language server's completion): gwk.toml
//! `[run] secret-file = "path"` (relative to gwk.toml), else `.secrets` at
//! the root of the git repository holding the workflow, when it exists.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

pub fn default_secret_file(workflow: &Path) -> Result<Option<PathBuf>> {
    let dir = std::path::absolute(workflow)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Some(toml) = crate::discover::find_upward(&dir) {
        let config = crate::discover::load(&toml)?;
        if let Some(v) = config.run.get("secret-file") {
            let Some(rel) = v.as_str() else {
                bail!("{}: `[run] secret-file` must be a path", toml.display());
            };
            let base = toml.parent().unwrap_or(Path::new("."));
            let path = base.join(rel);
            if !path.is_file() {
                bail!(
                    "{}: `[run] secret-file` names {}, which does not exist",
                    toml.display(),
                    path.display()
                );
            }
            return Ok(Some(path));
        }
    }
    let top = std::process::Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "--show-toplevel"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    Ok(top.map(|t| t.join(".secrets")).filter(|p| p.is_file()))
}
