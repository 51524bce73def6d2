//! `gwk check [PATH]...`

use crate::baseline::{self, Baseline};
use crate::discover::{Configs, workflow_files};
use crate::image_digests;
use crate::output::{FileReport, Format, render, total};
use crate::write_back::{self, Refusal};
use anyhow::{Context, Result, bail};
use gwk_spec::config::{Config, Persona};
use gwk_spec::fix::{FixLevel, fix_text_with};
use gwk_spec::select::{Selection, codes_of};
use gwk_spec::{Analysis, Severity};
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_long_help = "An `unpinned-image` finding also offers the image pinned to its \
digest (`bash:latest@sha256:…`) when the local Docker engine has the image with a RepoDigests \
entry; an image built or loaded on this host has none and gets no such fix. Without Docker the \
findings are the same, with no error."
)]
pub struct Args {
    /// Files or directories to check (default: .gradient/workflows/). `-`
    /// reads one file from standard input.
    pub paths: Vec<PathBuf>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Count warnings as errors for the exit status.
    #[arg(long)]
    pub deny_warnings: bool,
    /// The name to report for a file read from standard input.
    #[arg(long, default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// How strict the rules are: regular, or pedantic (also what a careful
    /// reviewer would raise). Overrides `persona` in gwk.toml.
    #[arg(long, value_enum)]
    pub persona: Option<PersonaArg>,
    /// Apply every safe fix in place, then report what is left (the exit
    /// status is that of what is left).
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff: also apply the unsafe fixes (those that can
    /// change what a run does; docs/rules.md marks each rule's).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix would write, and write nothing
    /// (exit status 1 when a file would change).
    #[arg(long)]
    pub diff: bool,
    /// Report only these rules: codes or families (`security`), comma
    /// separated. Replaces `select` in gwk.toml.
    #[arg(long, value_name = "CODE,...", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never report these rules: codes or families, comma separated. Adds
    /// to `ignore` in gwk.toml.
    #[arg(long, value_name = "CODE,...", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report only findings of this severity or worse. Replaces
    /// `min-severity` in gwk.toml.
    #[arg(long, value_enum)]
    pub min_severity: Option<SeverityArg>,
    /// Report only findings that the baseline FILE does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding in the baseline FILE (by file, code and a
    /// fingerprint without line numbers) and report none.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Error,
    Warning,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Error => Severity::Error,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PersonaArg {
    Regular,
    Pedantic,
}

impl From<PersonaArg> for Persona {
    fn from(p: PersonaArg) -> Persona {
        match p {
            PersonaArg::Regular => Persona::Regular,
            PersonaArg::Pedantic => Persona::Pedantic,
        }
    }
}

/// Set only by scripts/bench-check.sh, to measure in one run what the
/// security rules cost: `gwk check` then skips them.
const BENCH_WITHOUT_SECURITY: &str = "GWK_BENCH_WITHOUT_SECURITY";

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// What --fix, --diff or neither does with a file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Fix(FixLevel),
    Diff(FixLevel),
}

/// One file after checking (and fixing).
struct Outcome {
    report: FileReport,
    /// Fixes written to the file.
    applied: usize,
    /// What --diff prints for it.
    diff: Option<String>,
    /// Why it was left alone.
    refusal: Option<Refusal>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mode = mode(&args)?;
    let cli_selection = cli_selection(&args)?;
    let files = workflow_files(&args.paths)?;
    if mode != Mode::Check && files.iter().any(|p| p.as_os_str() == "-") {
        bail!("--fix cannot write back standard input; use --diff to see the fixes");
    }
    let configs = Configs::default();
    let without_security = std::env::var_os(BENCH_WITHOUT_SECURITY).is_some();
    // The tree is kept only where a fingerprint needs it.
    let keep_tree =
        args.format == Format::Sarif || args.baseline.is_some() || args.write_baseline.is_some();
    let digests = image_digests::Digests::default();
    let outcomes: Vec<Outcome> = files
        .par_iter()
        .map(|path| -> Result<Outcome> {
            let mut config = configs.for_file(path)?;
            if args.persona.is_some() || without_security || cli_selection.is_some() {
                let c = std::sync::Arc::make_mut(&mut config);
                if let Some(p) = args.persona {
                    c.persona = p.into();
                }
                if let Some(cli) = &cli_selection {
                    c.selection = merged(&c.selection, cli);
                }
                c.bench_without_security = without_security;
            }
            let (name, bytes) = if path.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .context("cannot read standard input")?;
                (args.stdin_filename.clone(), buf)
            } else {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                (path.display().to_string(), bytes)
            };
            let mut outcome = check_file(path, name, &bytes, &config, mode, &digests);
            let analysis = &mut outcome.report.analysis;
            // The findings are all the output needs: freeing the tree and
            // the model here lets the next file reuse their memory instead
            // of faulting in fresh pages (most of a 200-file check's system
            // time) and keeps the peak small. Fingerprints (SARIF, baselines)
            // read the tree, so it stays for them.
            if !keep_tree {
                analysis.root = None;
            }
            analysis.workflow = None;
            Ok(outcome)
        })
        .collect::<Result<_>>()?;
    let mut err = std::io::stderr().lock();
    let refused = outcomes.iter().filter(|o| o.refusal.is_some()).count();
    for r in outcomes.iter().filter_map(|o| o.refusal.as_ref()) {
        let _ = writeln!(err, "gwk: {r}");
    }
    if let Mode::Diff(_) = mode {
        let mut out = std::io::stdout().lock();
        let mut changed = 0;
        for d in outcomes.iter().filter_map(|o| o.diff.as_ref()) {
            changed += 1;
            let _ = out.write_all(d.as_bytes());
        }
        let _ = writeln!(
            err,
            "gwk: --fix would change {changed} of {} files",
            outcomes.len()
        );
        return Ok(exit(changed > 0 || refused > 0));
    }
    if let Mode::Fix(_) = mode {
        let applied: usize = outcomes.iter().map(|o| o.applied).sum();
        let files = outcomes.iter().filter(|o| o.applied > 0).count();
        let _ = writeln!(err, "gwk: applied {applied} fixes in {files} files");
    }
    let mut reports: Vec<FileReport> = outcomes.into_iter().map(|o| o.report).collect();
    if let Some(path) = &args.write_baseline {
        let entries: Vec<baseline::Entry> = reports.iter().flat_map(|r| entries(path, r)).collect();
        let n = entries.len();
        baseline::write(path, entries)?;
        let _ = writeln!(
            err,
            "gwk: wrote {n} findings of {} files to {}",
            reports.len(),
            path.display()
        );
        return Ok(exit(refused > 0));
    }
    if let Some(path) = &args.baseline {
        let mut base = Baseline::read(path)?;
        for r in &mut reports {
            let keys = entries(path, r);
            let mut n = 0;
            r.analysis.diagnostics.retain(|_| {
                let keep = !base.accepts(&keys[n]);
                n += 1;
                keep
            });
        }
    }
    // What is left gets the digest fix too, for the output to show.
    for r in &mut reports {
        image_digests::add_to(&mut r.analysis, &digests);
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let text = render(args.format, &reports, color);
    let mut out = std::io::stdout().lock();
    // A closed pipe (`gwk check | head`) is not an error of gwk's.
    let _ = out.write_all(text.as_bytes());
    let t = total(&reports);
    let failed = t.errors > 0 || (args.deny_warnings && t.warnings > 0);
    Ok(exit(failed || refused > 0))
}

fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn mode(args: &Args) -> Result<Mode> {
    let level = if args.unsafe_fixes {
        FixLevel::Unsafe
    } else {
        FixLevel::Safe
    };
    Ok(if args.diff {
        Mode::Diff(level)
    } else if args.fix {
        Mode::Fix(level)
    } else if args.unsafe_fixes {
        bail!("--unsafe-fixes goes with --fix (to apply them) or --diff (to see them)");
    } else {
        Mode::Check
    })
}

/// The selection the flags ask for, checked up front: an unknown name is
/// an error before any file is read.
fn cli_selection(args: &Args) -> Result<Option<Selection>> {
    if args.select.is_empty() && args.ignore.is_empty() && args.min_severity.is_none() {
        return Ok(None);
    }
    let select = if args.select.is_empty() {
        None
    } else {
        Some(codes_of(&args.select).context("--select")?)
    };
    Ok(Some(Selection {
        select,
        ignore: codes_of(&args.ignore).context("--ignore")?,
        min_severity: args.min_severity.map(Severity::from),
    }))
}

/// gwk.toml's selection with the flags': `--select` and `--min-severity`
/// replace the file's, `--ignore` adds to it.
fn merged(file: &Selection, cli: &Selection) -> Selection {
    let mut ignore = file.ignore.clone();
    ignore.extend(cli.ignore.iter().copied());
    Selection {
        select: cli.select.clone().or_else(|| file.select.clone()),
        ignore,
        min_severity: cli.min_severity.or(file.min_severity),
    }
}

/// Checks one file's bytes, fixing them first as `mode` says.
fn check_file(
    path: &Path,
    name: String,
    bytes: &[u8],
    config: &Config,
    mode: Mode,
    digests: &image_digests::Digests,
) -> Outcome {
    let plain = |analysis: Analysis, refusal: Option<Refusal>| Outcome {
        report: FileReport {
            path: name.clone(),
            analysis,
        },
        applied: 0,
        diff: None,
        refusal,
    };
    let level = match mode {
        Mode::Check => return plain(selected_bytes(bytes, config), None),
        Mode::Fix(level) | Mode::Diff(level) => level,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let refusal = Refusal::NotUtf8(path.to_path_buf(), e.valid_up_to());
            return plain(selected_bytes(bytes, config), Some(refusal));
        }
    };
    // The digest pin is an unsafe fix: asked of the engine only when
    // unsafe fixes are wanted.
    let fixed = match level {
        FixLevel::Unsafe => {
            fix_text_with(text, config, level, &|a| image_digests::add_to(a, digests))
        }
        FixLevel::Safe => fix_text_with(text, config, level, &|_| {}),
    };
    if !fixed.changed(text) {
        return plain(fixed.analysis, None);
    }
    if let Mode::Diff(_) = mode {
        let diff = similar::TextDiff::from_lines(text, fixed.text.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&name, &name)
            .to_string();
        return Outcome {
            diff: Some(diff),
            ..plain(fixed.analysis, None)
        };
    }
    match write_back::replace(path, bytes, &fixed.text) {
        Ok(()) => Outcome {
            applied: fixed.applied,
            ..plain(fixed.analysis, None)
        },
        Err(refusal) => plain(selected_bytes(bytes, config), Some(refusal)),
    }
}

/// The check of `bytes`, with only the findings the selection reports.
fn selected_bytes(bytes: &[u8], config: &Config) -> Analysis {
    let mut a = gwk_spec::analyze_bytes(bytes, config);
    a.select(&config.selection);
    a
}

/// The baseline entries of a report's findings, in their order.
fn entries(baseline: &Path, r: &FileReport) -> Vec<baseline::Entry> {
    let file = baseline::key_path(baseline, &r.path);
    r.analysis
        .diagnostics
        .iter()
        .map(|d| baseline::Entry {
            file: file.clone(),
            code: d.code.as_str().to_string(),
            fingerprint: gwk_spec::fingerprint::fingerprint(&r.analysis, d),
        })
        .collect()
}
