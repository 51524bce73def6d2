//! `gwk datasets create|list|versions|tag|import|export|rm`: the local
//! dataset store (layout in docs/datasets.md).

use anyhow::{Result, bail};
use gwk_run::datasets::{DatasetStore, VersionSource, parse_reference};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Create an empty dataset.
    Create {
        /// The new dataset's name (letters, digits, `-`, `_` and `.`).
        name: String,
    },
    /// List datasets with their number of versions and latest version.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List a dataset's versions, oldest first.
    Versions {
        /// The dataset.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Point TAG at a version (default: the latest); `--delete` removes the tag.
    Tag {
        /// The dataset.
        name: String,
        /// The tag to set (or remove); not `latest`, which is always the newest.
        tag: String,
        /// A version id, another tag, or `latest`.
        #[arg(default_value = "latest", value_name = "VERSION")]
        target: String,
        /// Remove the tag instead.
        #[arg(long)]
        delete: bool,
    },
    /// Copy a directory (or one file) into a new version.
    Import {
        /// The dataset the new version goes to (created if needed).
        name: String,
        /// The directory (or one file) to copy in.
        path: PathBuf,
        /// Also tag the new version.
        #[arg(long)]
        tag: Option<String>,
    },
    /// Copy a version (`name`, `name:version`, `name:tag`) into a directory.
    Export {
        /// The version: `name` (the latest), `name:version` or `name:tag`.
        reference: String,
        /// Where to copy it (created if needed).
        dir: PathBuf,
    },
    /// Remove one version (`name:version` or `name:tag`), or the whole
    /// dataset with `--all`.
    Rm {
        /// `name:version` or `name:tag`; `name` with `--all`.
        reference: String,
        /// Remove the dataset with every version.
        #[arg(long)]
        all: bool,
    },
}

pub fn store() -> Result<(PathBuf, DatasetStore)> {
    let home = crate::cmd::gwk_home()?;
    let store = DatasetStore::new(&home);
    Ok((home, store))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (_, store) = store()?;
    match args.command {
        Sub::Create { name } => {
            store.create(&name)?;
            println!("created dataset {name}");
        }
        Sub::List { json } => {
            let list = store.list()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!(
                    "no datasets in {} (create one with `gwk datasets create NAME`)",
                    store.root().display()
                );
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|d| {
                        vec![
                            d.name.clone(),
                            d.versions.to_string(),
                            d.latest.clone().unwrap_or_else(|| "-".into()),
                            d.tags
                                .iter()
                                .map(|(t, v)| format!("{t}→{v}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["DATASET", "VERSIONS", "LATEST", "TAGS"], &rows)
                );
            }
        }
        Sub::Versions { name, json } => {
            let versions = store.versions(&name)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&versions)?);
            } else if versions.is_empty() {
                println!("dataset {name} has no version yet");
            } else {
                let rows: Vec<Vec<String>> = versions
                    .iter()
                    .map(|v| {
                        let source = match (&v.source.run, &v.source.job, &v.source.imported_from) {
                            (Some(r), Some(j), _) => format!("run {r}, job {j}"),
                            (_, _, Some(p)) => format!("import of {p}"),
                            _ => String::new(),
                        };
                        vec![
                            v.id.clone(),
                            v.created.clone(),
                            v.files.to_string(),
                            human_bytes(v.bytes),
                            v.tags.join(", "),
                            source,
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(
                        &["VERSION", "CREATED", "FILES", "SIZE", "TAGS", "FROM"],
                        &rows
                    )
                );
            }
        }
        Sub::Tag {
            name,
            tag,
            target,
            delete,
        } => {
            if delete {
                if !store.untag(&name, &tag)? {
                    bail!("dataset {name} has no tag `{tag}`");
                }
                println!("removed tag {name}:{tag}");
            } else {
                let id = store.tag(&name, &tag, &target)?;
                println!("{name}:{tag} → {id}");
            }
        }
        Sub::Import { name, path, tag } => {
            let abs = std::path::absolute(&path).unwrap_or(path.clone());
            let v = store.import(
                &name,
                &path,
                VersionSource {
                    imported_from: Some(abs.display().to_string()),
                    ..Default::default()
                },
            )?;
            println!(
                "{name}: new version {} ({} files, {})",
                v.id,
                v.files,
                human_bytes(v.bytes)
            );
            if let Some(t) = tag {
                store.tag(&name, &t, &v.id)?;
                println!("{name}:{t} → {}", v.id);
            }
        }
        Sub::Export { reference, dir } => {
            let v = store.export(&reference, &dir)?;
            println!("{}:{} copied to {}", v.dataset, v.id, dir.display());
        }
        Sub::Rm { reference, all } => {
            let (name, selector) = parse_reference(&reference);
            if all {
                if reference.contains(':') {
                    bail!("--all removes a whole dataset: give its name only");
                }
                store.remove_dataset(name)?;
                println!("removed dataset {name}");
            } else {
                if !reference.contains(':') {
                    bail!(
                        "name the version to remove (`{name}:VERSION` or `{name}:TAG`), or pass --all to remove the dataset"
                    );
                }
                let id = store.resolve(&reference)?.id;
                let tags = store.remove_version(name, selector)?;
                print!("removed {name}:{id}");
                if !tags.is_empty() {
                    print!(" and its tags {}", tags.join(", "));
                }
                println!();
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A plain text table: columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
