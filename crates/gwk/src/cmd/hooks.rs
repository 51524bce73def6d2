//! `gwk hooks install|uninstall`: a git `pre-push` hook that runs
//! `gwk trigger` for the refs being pushed (off until installed). A failed
//! run stops the push; `git push --no-verify` skips the hook.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

/// Marks the hook as gwk's, so uninstall never removes someone else's.
const MARKER: &str = "# installed by `gwk hooks install`";

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Add the pre-push hook to this repository.
    Install {
        /// Options for the runs, as `gwk run` takes them (e.g. "--quiet
        /// --keep-going"); a leading `--` is allowed.
        #[arg(
            long,
            value_name = "OPTIONS",
            default_value = "",
            allow_hyphen_values = true
        )]
        options: String,
    },
    /// Remove gwk's pre-push hook.
    Uninstall,
}

fn hook_path() -> Result<PathBuf> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--git-path", "hooks/pre-push"])
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!("not inside a git repository");
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The hook's arguments after `--ref REF`: run options go after `--`
/// (`gwk trigger` takes them there), whether or not the user wrote it.
fn trigger_args(options: &str) -> String {
    let options = options.trim();
    if options.is_empty() || options == "--" || options.starts_with("-- ") {
        options.to_string()
    } else {
        format!("-- {options}")
    }
}

fn script(gwk: &str, options: &str) -> String {
    let options = trigger_args(options);
    format!(
        "#!/bin/sh\n{MARKER}\n# Runs the workflows of .gradient/workflows/ whose `on.github` trigger\n# matches each pushed ref; a failed run stops the push\n# (skip with `git push --no-verify`; remove with `gwk hooks uninstall`).\nstatus=0\nwhile read -r local_ref local_sha remote_ref remote_sha; do\n  case \"$local_sha\" in 0000000000000000000000000000000000000000) continue ;; esac\n  \"{gwk}\" trigger --ref \"$remote_ref\" {options} </dev/null || status=1\ndone\nexit $status\n"
    )
}

pub fn run(args: Args) -> Result<ExitCode> {
    let path = hook_path()?;
    let ours = std::fs::read_to_string(&path).is_ok_and(|t| t.contains(MARKER));
    match args.command {
        Sub::Install { options } => {
            if path.exists() && !ours {
                bail!(
                    "{} exists and is not gwk's; add `gwk trigger --ref <ref>` to it by hand",
                    path.display()
                );
            }
            let gwk = std::env::current_exe().context("cannot find the gwk executable")?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, script(&gwk.display().to_string(), &options))?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
            println!("installed {}", path.display());
        }
        Sub::Uninstall => {
            if !path.exists() {
                println!("no pre-push hook");
            } else if !ours {
                bail!("{} is not gwk's; left as it is", path.display());
            } else {
                std::fs::remove_file(&path)?;
                println!("removed {}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_options_go_after_the_separator() {
        assert_eq!(trigger_args(""), "");
        assert_eq!(
            trigger_args("--quiet --keep-going"),
            "-- --quiet --keep-going"
        );
        assert_eq!(trigger_args(" -- --quiet"), "-- --quiet");
        assert_eq!(trigger_args("--"), "--");
        assert!(
            script("/bin/gwk", "--quiet").contains("trigger --ref \"$remote_ref\" -- --quiet <")
        );
    }
}
