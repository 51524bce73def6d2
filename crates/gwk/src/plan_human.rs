//! `gwk plan --format human`: the plan for people, readable in an
//! 80-column terminal, coloured on a terminal only.

use anstyle::{AnsiColor, Style};
use gwk_spec::plan::{
    ContextValue, EnvOrigin, InputSource, Missing, MissingKind, Mount, MountKind, Plan,
};

/// The width the text is wrapped to.
const WIDTH: usize = 80;
/// Where a job's field values start.
const LABEL: usize = 10;
/// Indentation of a job's fields.
const INDENT: usize = 4;

struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn paint(&self, style: Style, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }

    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }

    fn heading(&mut self, s: &str) {
        let h = self.paint(Style::new().bold().underline(), s);
        self.line(&h);
    }

    /// `    label     value`, the value wrapped under itself.
    fn field(&mut self, label: &str, value: &str) {
        let start = INDENT + LABEL;
        let lines = wrap(value, WIDTH - start);
        // A label too long for its column gets a line of its own.
        let own_line = label.chars().count() >= LABEL;
        let label = format!("{:<width$}", label, width = LABEL);
        let label = self.paint(Style::new().dimmed(), &label);
        if own_line {
            self.line(&format!("{}{}", " ".repeat(INDENT), label.trim_end()));
        }
        for (i, l) in lines.iter().enumerate() {
            if i == 0 && !own_line {
                self.line(&format!("{}{label}{l}", " ".repeat(INDENT)));
            } else {
                self.line(&format!("{}{l}", " ".repeat(start)));
            }
        }
    }

    /// Lines of a script, each under a bar, cut to the width.
    fn block(&mut self, body: &str) {
        let start = INDENT + LABEL;
        for l in body.lines() {
            let l = l.replace('\t', "    ");
            let bar = self.paint(Style::new().dimmed(), "│ ");
            let cut = cut(&l, WIDTH - start - 2);
            self.line(&format!("{}{bar}{cut}", " ".repeat(start)));
        }
    }
}

/// Wraps `text` at `width` columns, breaking long words (URLs) where they
/// must; keeps the text's own line breaks.
fn wrap(text: &str, width: usize) -> Vec<String> {
    // Break at spaces only, never hyphenate: `--github-url` and paths must
    // stay whole (unless longer than a line). First fit: the
    // optimal-fit algorithm lets a line overflow rather than leave one short.
    let opts = textwrap::Options::new(width)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .break_words(true)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = Vec::new();
    for l in text.split('\n') {
        let wrapped = textwrap::wrap(l, &opts);
        if wrapped.is_empty() {
            out.push(String::new());
        }
        out.extend(wrapped.into_iter().map(|c| c.into_owned()));
    }
    out
}

/// `s` cut to `width` columns, with `…` where it was cut.
fn cut(s: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= width {
        return s.to_string();
    }
    let mut w = 0;
    let mut out = String::new();
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A command line as a shell would read it; an argument with line breaks
/// (a script) shows as `<script below>`, and is returned for the caller
/// to print as a block.
fn command_line(argv: &[String]) -> (String, Option<String>) {
    let mut block = None;
    let words: Vec<String> = argv
        .iter()
        .map(|a| {
            if a.contains('\n') {
                block = Some(a.clone());
                "<script below>".to_string()
            } else {
                shlex::try_quote(a).map_or_else(|_| format!("{a:?}"), |q| q.into_owned())
            }
        })
        .collect();
    (words.join(" "), block)
}

fn context_value(v: &ContextValue) -> String {
    match (&v.value, &v.source) {
        (Some(value), Some(source)) if source == "file" => value.clone(),
        (Some(value), Some(source)) if v.written == *value => format!("{value} ({source})"),
        (Some(value), Some(source)) => format!("{value} ({} from {source})", v.written),
        (Some(value), None) => value.clone(),
        (None, _) => format!("unresolved: {}", v.written),
    }
}

fn mount_line(m: &Mount) -> String {
    let kind = match m.kind {
        Some(MountKind::Volume) => "volume",
        Some(MountKind::String) => "string",
        Some(MountKind::Dataset) => "dataset",
        None => "?",
    };
    let access = if m.read_only { "ro" } else { "rw" };
    format!("{} ({access}, {kind}) ← {}", m.target, m.from)
        .replace(" ← new", " → new")
        .replace(" ← string:", " → string:")
}

/// Renders the plan of the workflow at `path`; `findings` counts the
/// checker's findings below error level (warnings, infos).
pub fn render(plan: &Plan, path: &str, findings: usize, color: bool) -> String {
    let mut o = Out {
        text: String::new(),
        color,
    };
    let bold = Style::new().bold();
    for l in wrap(&format!("Plan of {path}"), WIDTH) {
        let l = o.paint(bold, &l);
        o.line(&l);
    }
    let mut summary = format!(
        "{} in {}",
        plural(plan.jobs.len(), "job", "jobs"),
        plural(plan.stages.len(), "stage", "stages")
    );
    let gpus: u32 = plan.jobs.iter().map(|j| j.gpus).sum();
    if gpus > 0 {
        summary.push_str(&format!(
            ", {} asked for in all",
            plural(gpus as usize, "GPU", "GPUs")
        ));
    }
    if let Some(t) = plan.timeout {
        summary.push_str(&format!(", workflow timeout {t} s"));
    }
    for l in wrap(&summary, WIDTH) {
        o.line(&l);
    }
    if plan.critical_path.len() > 1 {
        for l in wrap(
            &format!("Critical path: {}", plan.critical_path.join(" → ")),
            WIDTH,
        ) {
            o.line(&l);
        }
    }
    if let Some(w) = &plan.widest_stage
        && w.jobs.len() > 1
    {
        for l in wrap(
            &format!(
                "Widest stage: {} ({} at once: {})",
                w.stage + 1,
                w.jobs.len(),
                w.jobs.join(", ")
            ),
            WIDTH,
        ) {
            o.line(&l);
        }
    }
    let t = &plan.trigger;
    let verdict = match t.starts {
        Some(true) => o.paint(
            Style::new().fg_color(Some(AnsiColor::Green.into())),
            "starts",
        ),
        Some(false) => o.paint(
            Style::new().fg_color(Some(AnsiColor::Red.into())),
            "does not start",
        ),
        None if t.has_trigger => "GitHub push".to_string(),
        None => "none".to_string(),
    };
    let trigger = match &t.event {
        Some(e) => format!(
            "Trigger: push of {} {verdict} the workflow: {}",
            e.git_ref, t.reason
        ),
        None => format!("Trigger: {verdict}: {}", t.reason),
    };
    for l in wrap(&trigger, WIDTH) {
        o.line(&l);
    }

    if !plan.inputs.is_empty() {
        o.line("");
        o.heading("Workflow inputs");
        for i in &plan.inputs {
            let value = match (&i.value, &i.dataset) {
                (Some(v), _) => format!("string {v:?}"),
                (None, Some(d)) => d.describe(),
                (None, None) if i.optional => "no value (optional)".to_string(),
                (None, None) => "no value".to_string(),
            };
            let from = match i.source {
                InputSource::Option => " [given on the command line]",
                InputSource::File => " [the file's default]",
                InputSource::None => "",
            };
            o.field(&i.name, &format!("{value}{from}"));
        }
    }

    for (s, names) in plan.stages.iter().enumerate() {
        o.line("");
        let heading = if names.len() > 1 {
            format!("Stage {} ({} jobs at once)", s + 1, names.len())
        } else {
            format!("Stage {}", s + 1)
        };
        o.heading(&heading);
        for name in names {
            let Some(job) = plan.job(name) else { continue };
            let mut head = format!("  {}  {}", job.name, job.action);
            if !job.needs.is_empty() {
                head.push_str(&format!(" · needs {}", job.needs.join(", ")));
            }
            for (i, l) in wrap(&head, WIDTH).into_iter().enumerate() {
                // Wrap the plain text, then paint the name: escapes have
                // no width.
                let l = match l.strip_prefix(&format!("  {}", job.name)) {
                    Some(rest) if i == 0 => format!("  {}{rest}", o.paint(bold, &job.name)),
                    _ => l,
                };
                o.line(&l);
            }
            if let Some(image) = &job.image {
                o.field("image", image);
            }
            for (label, argv) in [("command", &job.command), ("args", &job.args)] {
                if let Some(argv) = argv {
                    let (line, block) = command_line(argv);
                    o.field(label, &line);
                    if let Some(b) = block {
                        o.block(&b);
                    }
                }
            }
            if job.image.is_some() && job.command.is_none() && job.args.is_none() {
                o.field("command", "the image's own entrypoint and command");
            }
            if let Some(g) = &job.git {
                o.field("clone", &context_value(&g.url));
                o.field(
                    "ref",
                    &g.git_ref
                        .as_ref()
                        .map_or("the default branch".to_string(), context_value),
                );
                if let Some(p) = &g.path {
                    o.field("into", p);
                }
                for (label, v) in [("username", &g.username), ("password", &g.password)] {
                    if let Some(v) = v {
                        o.field(label, &v.display());
                    }
                }
            }
            if let Some(s3) = &job.s3 {
                o.field("download", s3.url.as_deref().unwrap_or("(no url)"));
                if let Some(p) = &s3.path {
                    o.field("into", p);
                }
                for (label, v) in [
                    ("key id", &s3.access_key),
                    ("secret", &s3.secret_access_key),
                ] {
                    if let Some(v) = v {
                        o.field(label, &v.display());
                    }
                }
                for (label, v) in [("region", &s3.region), ("endpoint", &s3.endpoint)] {
                    if let Some(v) = v {
                        o.field(label, v);
                    }
                }
            }
            if let Some(m) = &job.model {
                o.field(
                    "model",
                    &format!(
                        "register {} ({})",
                        m.name.as_deref().unwrap_or("(no name)"),
                        m.model_type.as_deref().unwrap_or("no type")
                    ),
                );
            }
            let machine = match (&job.instance_type, &job.machine) {
                (Some(t), Some(m)) => format!("{t}: {}", m.summary),
                (Some(t), None) => format!("{t} (not in the catalog: no GPU asked for)"),
                (None, _) => "none given (no GPU asked for)".to_string(),
            };
            o.field("machine", &machine);
            if let Some(r) = &job.gpu_request {
                o.field(
                    "gpus",
                    &format!("device request: {} × gpu (capabilities [[gpu]])", r.count),
                );
            }
            for (i, e) in job.env.iter().enumerate() {
                let origin = match e.from {
                    EnvOrigin::Defaults => " (defaults)",
                    EnvOrigin::Job => "",
                };
                let label = if i == 0 { "env" } else { "" };
                o.field(label, &format!("{}={}{origin}", e.name, e.value.display()));
            }
            for (i, m) in job.mounts.iter().enumerate() {
                let label = if i == 0 { "mounts" } else { "" };
                o.field(label, &mount_line(m));
            }
            if let Some(t) = job.timeout {
                o.field("timeout", &format!("{t} s"));
            }
        }
    }

    o.line("");
    if plan.missing.is_empty() {
        o.line("Nothing is missing: the run has every input, secret and dataset it reads.");
    } else {
        let h = o.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            "Missing (gwk run refuses to start without them)",
        );
        o.line(&h);
        for m in &plan.missing {
            for l in wrap(&missing_line(m), WIDTH - 4).iter().enumerate() {
                let prefix = if l.0 == 0 { "  - " } else { "    " };
                o.line(&format!("{prefix}{}", l.1));
            }
        }
    }
    if findings > 0 {
        o.line("");
        let note = format!(
            "The checker has {} below error level for this file: `gwk check` shows {}.",
            plural(findings, "finding", "findings"),
            if findings == 1 { "it" } else { "them" }
        );
        for l in wrap(&note, WIDTH) {
            o.line(&l);
        }
    }
    o.text
}

fn missing_line(m: &Missing) -> String {
    let kind = match m.kind {
        MissingKind::Input => "input",
        MissingKind::Secret => "secret",
        MissingKind::Dataset => "dataset",
        MissingKind::Context => "value",
    };
    let jobs = if m.jobs.is_empty() {
        String::new()
    } else {
        format!(" (read by {})", m.jobs.join(", "))
    };
    format!("{kind} {}{jobs}: {}", m.name, m.hint)
}
