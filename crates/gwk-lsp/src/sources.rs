//! What the server reads from disk besides the documents: the project's
//! gwk.toml, the local dataset store, the secrets file, and the dataset
//! references of the other workflow files in the project.
//!
//! Where each is, and what counts, is the project model's (crates/
//! gwk-project), which `gwk check`, `gwk plan` and `gwk run` use too; this
//! module only adapts it to the server (errors become "nothing to offer",
//! a broken gwk.toml becomes the defaults plus a message). docs/lsp.md
//! describes the contracts. The one notion of the server's own:
//! - The workspace root of a document: the directory that holds its
//!   `.gradient/` directory; else the directory of its gwk.toml; else the
//!   editor's workspace folder that contains it. The other workflow files
//!   are those `gwk check` run there with no path checks.

use gwk_spec::query::{WorkspaceDataset, dataset_refs};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use gwk_project::config::ProjectConfig;

/// Reads gwk.toml for a document in `dir`.
pub fn project_config(dir: &Path) -> ProjectConfig {
    ProjectConfig::read(dir)
}

/// The dataset store `gwk run` writes.
pub fn store_dir() -> Option<PathBuf> {
    gwk_project::home::store_dir()
}

/// The datasets of the store at `dir`, by name: those `gwk plan` resolves
/// and `gwk datasets list` lists.
pub fn store_datasets(dir: &Path) -> Vec<String> {
    gwk_project::store::dataset_names(dir).unwrap_or_default()
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

/// The secrets file `gwk plan` would read for the document at `doc`
/// (gwk.toml's `[run] secret-file`, else `.secrets` at the top of its git
/// repository); `None` when there is none or it cannot be used.
pub fn secrets_file(config: &ProjectConfig, doc: &Path) -> Option<PathBuf> {
    let dir = doc.parent()?;
    gwk_project::secrets::default_secret_file(dir, config.path.as_deref(), &config.config)
        .ok()
        .flatten()
}

/// The secret names the file defines that `secret:NAME` may spell (never
/// the values); none when the file cannot be read (as `gwk plan` would
/// refuse it).
pub fn secret_names(file: &Path) -> Vec<String> {
    gwk_project::secrets::names(file).unwrap_or_default()
}

/// Dataset references in workflow files on disk, read once per file
/// version (by modification time).
#[derive(Default)]
pub struct WorkspaceScan {
    files: HashMap<PathBuf, (Option<SystemTime>, Vec<String>)>,
}

impl WorkspaceScan {
    /// The dataset refs of every workflow file under
    /// `root/.gradient/workflows/` (those `gwk check` checks there),
    /// except `skip` (the document asking), with texts of open documents
    /// taking the place of what is on disk.
    pub fn datasets(
        &mut self,
        root: &Path,
        skip: &Path,
        open: &HashMap<PathBuf, Vec<String>>,
    ) -> Vec<WorkspaceDataset> {
        let mut out = Vec::new();
        let files = gwk_project::walk::project_workflows(root).unwrap_or_default();
        for file in files {
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

#[cfg(test)]
mod tests {
    use super::*;

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
