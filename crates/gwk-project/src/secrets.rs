//! The project's secrets file and the names it defines.
//!
//! Which file (when no `--secret-file` is given): gwk.toml's `[run]
//! secret-file = "PATH"` (relative to gwk.toml; an error when it is not a
//! path or names no file), else `.secrets` at the top of the git repository
//! holding the workflow, when it exists. `gwk plan`/`gwk run` read its
//! values; the language server offers its names after `secret:`.
//!
//! How it is read: as a dotenv file, by dotenvy (`NAME=value`, `export`,
//! quotes, `#` comments). The names offered are those the checker's
//! `secret-syntax` rule accepts in `secret:NAME`, so an editor never
//! proposes a name `gwk check` then flags (`DB.pass` is a dotenv name but
//! not a secret name).

use anyhow::{Context, Result, anyhow, bail};
use gwk_spec::Config;
use std::path::{Path, PathBuf};

/// The default secrets file's name, at the top of the git repository.
pub const SECRETS_FILE: &str = ".secrets";

/// The top of the git repository holding `dir`: the nearest directory at or
/// above it that holds `.git` (a directory, or a file in a worktree or
/// submodule), which is what `git rev-parse --show-toplevel` answers,
/// found without running git.
pub fn git_top_level(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The secrets file that applies in `dir` (a workflow's directory), given
/// the gwk.toml that applies there (`toml`, its path, with `config` read
/// from it; the defaults and `None` when there is none).
pub fn default_secret_file(
    dir: &Path,
    toml: Option<&Path>,
    config: &Config,
) -> Result<Option<PathBuf>> {
    if let Some(toml) = toml
        && let Some(v) = config.run.get("secret-file")
    {
        let Some(rel) = v.as_str() else {
            bail!("{}: `[run] secret-file` must be a path", toml.display());
        };
        let path = toml.parent().unwrap_or(Path::new(".")).join(rel);
        if !path.is_file() {
            bail!(
                "{}: `[run] secret-file` names {}, which does not exist",
                toml.display(),
                path.display()
            );
        }
        return Ok(Some(path));
    }
    Ok(git_top_level(dir)
        .map(|top| top.join(SECRETS_FILE))
        .filter(|p| p.is_file()))
}

/// [`default_secret_file`] for a workflow file, reading its gwk.toml (a
/// broken one is an error).
pub fn default_secret_file_for(workflow: &Path) -> Result<Option<PathBuf>> {
    let dir = crate::config::start_dir(workflow)?;
    match crate::config::find_upward(&dir) {
        Some(toml) => {
            let config = crate::config::load(&toml)?;
            default_secret_file(&dir, Some(&toml), &config)
        }
        None => default_secret_file(&dir, None, &Config::default()),
    }
}

/// The `NAME=VALUE` entries of a secrets file, in order.
pub fn read_values(path: &Path) -> Result<Vec<(String, String)>> {
    let entries = dotenvy::from_path_iter(path)
        .with_context(|| format!("cannot read secret file {}", path.display()))?;
    entries
        .enumerate()
        .map(|(i, entry)| {
            entry.map_err(|e| match e {
                // dotenvy's own message quotes the whole line, value and
                // all: it must not reach a terminal or a log.
                dotenvy::Error::LineParse(..) => anyhow!(
                    "secret file {}: entry {} is not NAME=VALUE (a name of letters, digits \
                     and `_`; write `hf-token` as `hf_token`)",
                    path.display(),
                    i + 1
                ),
                other => anyhow::Error::new(other)
                    .context(format!("cannot read secret file {}", path.display())),
            })
        })
        .collect()
}

/// The secret names a secrets file defines, sorted, each one `secret:NAME`
/// may spell. Values are dropped as they are read: never kept, never
/// returned.
pub fn names(path: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = read_values(path)?
        .into_iter()
        .map(|(name, _)| name)
        .filter(|n| !n.is_empty() && gwk_spec::check::valid_secret_name(n))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_those_the_checker_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".secrets");
        std::fs::write(
            &file,
            "# comment\nHF_TOKEN=abc\nexport AWS_KEY=xyz\n\nDB.pass=\"q=1\"\nHF_TOKEN=again\n_X1=\"a b\"\n",
        )
        .unwrap();
        assert_eq!(names(&file).unwrap(), ["AWS_KEY", "HF_TOKEN", "_X1"]);
        // The CLI reads every entry's value, later ones winning when it
        // collects them.
        let values = read_values(&file).unwrap();
        assert_eq!(values.len(), 5);
        assert_eq!(values[3], ("HF_TOKEN".to_string(), "again".to_string()));
    }

    #[test]
    fn a_line_dotenv_cannot_read_is_an_error_naming_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".secrets");
        std::fs::write(&file, "A=1\nhf-token=x\n").unwrap();
        let e = format!("{:#}", names(&file).unwrap_err());
        assert!(e.contains("entry 2 is not NAME=VALUE"), "{e}");
        assert!(!e.contains("=x"), "a value leaked: {e}");
    }

    #[test]
    fn the_default_file_is_at_the_git_top_level_not_the_project_folder() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let project = top.join("proj");
        let workflows = project.join(".gradient/workflows");
        std::fs::create_dir_all(&workflows).unwrap();
        std::fs::write(project.join(SECRETS_FILE), "A=1\n").unwrap();
        let wf = workflows.join("w.yaml");
        // Not in a git repository: no default file.
        assert_eq!(default_secret_file_for(&wf).unwrap(), None);
        std::fs::create_dir(top.join(".git")).unwrap();
        assert_eq!(default_secret_file_for(&wf).unwrap(), None);
        std::fs::write(top.join(SECRETS_FILE), "B=1\n").unwrap();
        assert_eq!(
            default_secret_file_for(&wf).unwrap(),
            Some(top.join(SECRETS_FILE))
        );
    }

    #[test]
    fn gwk_toml_names_the_file_and_a_wrong_name_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(SECRETS_FILE), "B=1\n").unwrap();
        std::fs::write(root.join("env.local"), "C=1\n").unwrap();
        let toml = root.join("gwk.toml");
        std::fs::write(&toml, "[run]\nsecret-file = \"env.local\"\n").unwrap();
        let wf = root.join("w.yaml");
        assert_eq!(
            default_secret_file_for(&wf).unwrap(),
            Some(root.join("env.local"))
        );
        std::fs::write(&toml, "[run]\nsecret-file = \"nope\"\n").unwrap();
        let e = default_secret_file_for(&wf).unwrap_err().to_string();
        assert!(e.contains("which does not exist"), "{e}");
        std::fs::write(&toml, "[run]\nsecret-file = 3\n").unwrap();
        let e = default_secret_file_for(&wf).unwrap_err().to_string();
        assert!(e.contains("must be a path"), "{e}");
    }
}
