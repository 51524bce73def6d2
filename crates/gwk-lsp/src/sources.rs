//! What the server reads from disk besides the documents: the project's
//! gwk.toml, the local dataset store, the secrets file, and the dataset
//! references of the other workflow files in the workspace.
//!
//! The contracts (shared with `gwk run`, documented in docs/lsp.md):
//! - gwk.toml: the nearest one in the document's directory or above.
//! - The dataset store: `$GWK_HOME/datasets/` (default
//!   `$XDG_DATA_HOME/gwk/datasets/`, else `~/.local/share/gwk/datasets/`);
//!   each directory there is a dataset, named by the directory. Read only.
//! - The secrets file: gwk.toml's `[run] secret-file = "PATH"` (relative to
//!   gwk.toml), else `.secrets` at the workspace root when present. A
//!   dotenv file: `NAME=value` lines, `export NAME=value`, `#` comments.
//!   Only the names are read into memory; values never leave the file.
//! - The workspace root of a document: the directory that holds its
//!   `.gradient/` directory; else the directory of its gwk.toml; else the
//!   editor's workspace folder that contains it.

use gwk_spec::Config;
use gwk_spec::query::{WorkspaceDataset, dataset_refs};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// A gwk.toml as read (or the defaults when there is none or it is broken).
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

/// Reads gwk.toml for a document in `dir`.
pub fn project_config(dir: &Path) -> ProjectConfig {
    let Some(path) = dir
        .ancestors()
        .map(|d| d.join(gwk_spec::config::FILE_NAME))
        .find(|p| p.is_file())
    else {
        return ProjectConfig::default();
    };
    let result = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| Config::parse(&text).map_err(|e| e.to_string()));
    match result {
        Ok(config) => ProjectConfig {
            config: Arc::new(config),
            path: Some(path),
            error: None,
        },
        Err(e) => ProjectConfig {
            config: Arc::new(Config::default()),
            error: Some(format!(
                "{} is not a valid gwk.toml ({e}); gwk uses the defaults until it is fixed",
                path.display()
            )),
            path: Some(path),
        },
    }
}

/// The dataset store `gwk run` writes (gwk-spec's `home` has the rule).
pub fn store_dir() -> Option<PathBuf> {
    gwk_spec::home::gwk_home(|v| std::env::var_os(v)).map(|h| h.join(gwk_spec::home::DATASETS_DIR))
}

/// The dataset names in the store: its directories' names, sorted.
pub fn store_datasets(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// The root a document belongs to (see the module docs).
pub fn workspace_root(doc: &Path, config: &ProjectConfig, folders: &[PathBuf]) -> Option<PathBuf> {
    for dir in doc.ancestors().skip(1) {
        if dir.file_name().is_some_and(|n| n == ".gradient") {
            return dir.parent().map(Path::to_path_buf);
        }
    }
    if let Some(toml) = &config.path {
        return toml.parent().map(Path::to_path_buf);
    }
    folders
        .iter()
        .filter(|f| doc.starts_with(f))
        .max_by_key(|f| f.as_os_str().len())
        .cloned()
}

/// The secrets file for a document: gwk.toml's `[run] secret-file`, else
/// `<root>/.secrets` when it exists.
pub fn secrets_file(config: &ProjectConfig, root: Option<&Path>) -> Option<PathBuf> {
    if let Some(rel) = config
        .config
        .run
        .get("secret-file")
        .and_then(|v| v.as_str())
        && let Some(dir) = config.path.as_ref().and_then(|p| p.parent())
    {
        return Some(dir.join(rel));
    }
    let dot = root?.join(".secrets");
    dot.is_file().then_some(dot)
}

/// The names a dotenv text defines (never the values).
pub fn secret_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            if line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (name, _) = line.split_once('=')?;
            let name = name.trim();
            let valid = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
            valid.then(|| name.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Dataset references in workflow files on disk, read once per file
/// version (by modification time).
#[derive(Default)]
pub struct WorkspaceScan {
    files: HashMap<PathBuf, (Option<SystemTime>, Vec<String>)>,
}

impl WorkspaceScan {
    /// The dataset refs of every workflow file under `root/.gradient/`,
    /// except `skip` (the document asking), with texts of open documents
    /// taking the place of what is on disk.
    pub fn datasets(
        &mut self,
        root: &Path,
        skip: &Path,
        open: &HashMap<PathBuf, Vec<String>>,
    ) -> Vec<WorkspaceDataset> {
        let mut out = Vec::new();
        for file in workflow_files(&root.join(".gradient")) {
            if file == skip {
                continue;
            }
            let names = match open.get(&file) {
                Some(names) => names.clone(),
                None => self.read(&file),
            };
            let shown = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            for name in names {
                out.push(WorkspaceDataset {
                    name,
                    file: shown.clone(),
                });
            }
        }
        out
    }

    fn read(&mut self, file: &Path) -> Vec<String> {
        let mtime = std::fs::metadata(file).and_then(|m| m.modified()).ok();
        if let Some((seen, names)) = self.files.get(file)
            && *seen == mtime
            && mtime.is_some()
        {
            return names.clone();
        }
        let names = std::fs::read_to_string(file)
            .ok()
            .and_then(|text| {
                let index = gwk_spec::syntax::LineIndex::new(&text);
                let root = gwk_spec::syntax::parse(&text, &index).root?;
                Some(dataset_refs(&gwk_spec::model::lower(&root)))
            })
            .unwrap_or_default();
        self.files
            .insert(file.to_path_buf(), (mtime, names.clone()));
        names
    }

    pub fn forget(&mut self) {
        self.files.clear();
    }
}

/// `.yaml` and `.yml` files under `dir`, sorted; at most a few levels deep.
fn workflow_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                if depth < 4 {
                    stack.push((path, depth + 1));
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_names_only() {
        let text = "# comment\nHF_TOKEN=abc\nexport AWS_KEY = xyz\n\nbad line\n1BAD=x\nDB.pass=\"q=1\"\nHF_TOKEN=again\n";
        assert_eq!(secret_names(text), ["AWS_KEY", "DB.pass", "HF_TOKEN"]);
    }

    #[test]
    fn store_lists_directories() {
        let dir = std::env::temp_dir().join(format!("gwk-lsp-store-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("b-set/v1")).unwrap();
        std::fs::create_dir_all(dir.join("a-set")).unwrap();
        std::fs::create_dir_all(dir.join(".staging")).unwrap();
        std::fs::write(dir.join("note.txt"), "x").unwrap();
        let names = store_datasets(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(names, ["a-set", "b-set"]);
    }

    #[test]
    fn root_is_the_directory_holding_gradient() {
        let doc = Path::new("/repo/.gradient/workflows/train.yaml");
        let root = workspace_root(doc, &ProjectConfig::default(), &[]);
        assert_eq!(root.as_deref(), Some(Path::new("/repo")));
        let doc = Path::new("/elsewhere/w.yaml");
        let root = workspace_root(
            doc,
            &ProjectConfig::default(),
            &[PathBuf::from("/elsewhere")],
        );
        assert_eq!(root.as_deref(), Some(Path::new("/elsewhere")));
    }
}
