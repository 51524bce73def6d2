//! Which gwk.toml applies to a file: the nearest one in the file's
//! directory or above. `gwk check` and the language server find it the
//! same way; they differ only in what a broken file does (the CLI stops,
//! the server reports it and uses the defaults).

use anyhow::{Context, Result};
use gwk_spec::Config;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use gwk_spec::config::FILE_NAME;

/// The nearest gwk.toml at or above `dir`.
pub fn find_upward(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads and checks one gwk.toml.
pub fn load(path: &Path) -> Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Config::parse(&text).with_context(|| format!("{} is not a valid gwk.toml", path.display()))
}

/// The directory a workflow's gwk.toml is searched from: the file's own
/// directory (`-`, standard input, searches from the current directory).
pub fn start_dir(file: &Path) -> Result<PathBuf> {
    if file.as_os_str() == "-" {
        return Ok(std::env::current_dir()?);
    }
    let abs = std::path::absolute(file)?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
}

/// gwk.toml files found upward from workflow files, read once each (the
/// CLI's cache: a broken file is an error).
#[derive(Default)]
pub struct Configs {
    by_dir: Mutex<HashMap<PathBuf, Arc<Config>>>,
}

impl Configs {
    /// The config that applies to `file`: the nearest gwk.toml in its
    /// directory or above, or the defaults.
    pub fn for_file(&self, file: &Path) -> Result<Arc<Config>> {
        let start = start_dir(file)?;
        if let Some(c) = self.by_dir.lock().expect("lock").get(&start) {
            return Ok(c.clone());
        }
        let config = Arc::new(match find_upward(&start) {
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

/// A gwk.toml as an editor sees it: the defaults when there is none or it
/// is broken, with the reason kept to show.
#[derive(Clone, Debug)]
pub struct ProjectConfig {
    pub config: Arc<Config>,
    /// The file, when one applies.
    pub path: Option<PathBuf>,
    /// Why the file could not be used (the defaults apply then).
    pub error: Option<String>,
}

impl Default for ProjectConfig {
    fn default() -> Self {
        ProjectConfig {
            config: Arc::new(Config::default()),
            path: None,
            error: None,
        }
    }
}

impl ProjectConfig {
    /// The gwk.toml for a document in `dir`; never an error.
    pub fn read(dir: &Path) -> ProjectConfig {
        let Some(path) = find_upward(dir) else {
            return ProjectConfig::default();
        };
        match load(&path) {
            Ok(config) => ProjectConfig {
                config: Arc::new(config),
                path: Some(path),
                error: None,
            },
            Err(e) => ProjectConfig {
                config: Arc::new(Config::default()),
                error: Some(format!(
                    "{} ({}); gwk uses the defaults until it is fixed",
                    e,
                    e.root_cause()
                )),
                path: Some(path),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_gwk_toml_applies_and_a_broken_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "secrets = [\"top\"]\n").unwrap();
        assert_eq!(
            find_upward(&sub).as_deref(),
            Some(dir.path().join(FILE_NAME).as_path())
        );
        let read = ProjectConfig::read(&sub);
        assert_eq!(read.config.secrets, ["top"]);
        assert!(read.error.is_none());

        std::fs::write(dir.path().join("a").join(FILE_NAME), "secrets = 3\n").unwrap();
        let read = ProjectConfig::read(&sub);
        assert_eq!(read.path, Some(dir.path().join("a").join(FILE_NAME)));
        let error = read.error.unwrap();
        assert!(error.contains("is not a valid gwk.toml"), "{error}");
        assert!(read.config.secrets.is_empty());
        assert!(load(&dir.path().join("a").join(FILE_NAME)).is_err());
    }

    #[test]
    fn the_cli_cache_reads_each_directory_once() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join(FILE_NAME);
        std::fs::write(&toml, "secrets = [\"first\"]\n").unwrap();
        let configs = Configs::default();
        let file = dir.path().join("w.yaml");
        assert_eq!(configs.for_file(&file).unwrap().secrets, ["first"]);
        std::fs::write(&toml, "secrets = [\"second\"]\n").unwrap();
        assert_eq!(configs.for_file(&file).unwrap().secrets, ["first"]);
    }
}
