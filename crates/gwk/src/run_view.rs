//! What `gwk run` shows a person: job output as it comes, each line
//! prefixed with its job's name (coloured on a terminal), a live view of
//! the jobs on a terminal (indicatif), pull progress, and a summary table.
//!
//! Nothing of the run waits on the terminal: events reach the screen
//! through [`Detached`], a queue drained by a thread of its own, so a
//! paused pager or a stopped terminal cannot hold up deadlines, Ctrl-C or
//! the job logs. When the reader falls behind, job output lines are
//! dropped and the screen says how many.

use gwk_run::events::{Event, EventSink, JobStatus};
use gwk_run::redact::{Redactor, strip_controls};
use gwk_run::rundir::RunRecord;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Job output lines waiting for a slow reader, at most (lines and bytes);
/// beyond that they are dropped (they are all in the job's log file).
const QUEUED_LINES: usize = 10_000;
const QUEUED_BYTES: usize = 8 << 20;

/// Something that shows events to a reader that may be slow.
pub trait Screen: Send + Sync {
    fn show(&self, event: &Event);
    /// `n` job output lines were dropped here because the reader was slow.
    fn not_shown(&self, n: u64);
}

enum Item {
    Event(Event),
    Dropped(u64),
}

#[derive(Default)]
struct Queue {
    items: VecDeque<Item>,
    log_lines: usize,
    log_bytes: usize,
    closed: bool,
}

impl Queue {
    fn log_size(item: &Item) -> Option<usize> {
        match item {
            Item::Event(Event::Log { line, .. }) => Some(line.len()),
            _ => None,
        }
    }
}

/// An [`EventSink`] that never blocks: events are queued for a thread that
/// shows them on a [`Screen`]. Job output lines are dropped (and counted)
/// while the queue is full; every other event is kept.
pub struct Detached {
    queue: Arc<(Mutex<Queue>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Detached {
    pub fn new(screen: Arc<dyn Screen>) -> Detached {
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let q = queue.clone();
        let thread = std::thread::spawn(move || {
            loop {
                let item = {
                    let (lock, ready) = &*q;
                    let mut st = lock.lock().expect("lock");
                    loop {
                        if let Some(item) = st.items.pop_front() {
                            if let Some(n) = Queue::log_size(&item) {
                                st.log_lines -= 1;
                                st.log_bytes -= n;
                            }
                            break Some(item);
                        }
                        if st.closed {
                            break None;
                        }
                        st = ready.wait(st).expect("lock");
                    }
                };
                match item {
                    Some(Item::Event(e)) => screen.show(&e),
                    Some(Item::Dropped(n)) => screen.not_shown(n),
                    None => return,
                }
            }
        });
        Detached {
            queue,
            thread: Mutex::new(Some(thread)),
        }
    }

    /// Shows what is still queued (this may wait for the reader), then
    /// stops the thread.
    pub fn close(&self) {
        let (lock, ready) = &*self.queue;
        lock.lock().expect("lock").closed = true;
        ready.notify_all();
        if let Some(t) = self.thread.lock().expect("lock").take() {
            let _ = t.join();
        }
    }
}

impl EventSink for Detached {
    fn emit(&self, event: &Event) {
        let (lock, ready) = &*self.queue;
        let mut st = lock.lock().expect("lock");
        if st.closed {
            return;
        }
        let item = Item::Event(event.clone());
        match Queue::log_size(&item) {
            Some(n) if st.log_lines >= QUEUED_LINES || st.log_bytes + n > QUEUED_BYTES => {
                match st.items.back_mut() {
                    Some(Item::Dropped(k)) => *k += 1,
                    _ => st.items.push_back(Item::Dropped(1)),
                }
                return;
            }
            Some(n) => {
                st.log_lines += 1;
                st.log_bytes += n;
            }
            None => {}
        }
        st.items.push_back(item);
        drop(st);
        ready.notify_one();
    }
}

const PALETTE: [u8; 6] = [36, 33, 35, 32, 34, 31];

pub struct HumanView {
    /// A terminal: live view and colours.
    live: Option<MultiProgress>,
    color: bool,
    quiet: bool,
    width: usize,
    colors: HashMap<String, u8>,
    /// Masks secrets again after control sequences are removed (a secret
    /// split by an escape sequence is whole once it is gone).
    redactor: Redactor,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    jobs: HashMap<String, ProgressBar>,
    pulls: HashMap<String, ProgressBar>,
    overall: Option<ProgressBar>,
    total: usize,
    done: usize,
    run_id: Option<String>,
    /// Why each running job runs (its start event says), for its end line.
    reasons: HashMap<String, String>,
}

impl HumanView {
    /// `jobs`: the job names, for alignment and colours. `tty`: draw the
    /// live view (stderr is a terminal).
    /// `secrets`: the run's secret values.
    pub fn new(
        jobs: &[String],
        tty: bool,
        color: bool,
        quiet: bool,
        secrets: &[String],
    ) -> HumanView {
        let live = tty.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        HumanView {
            live,
            color,
            quiet,
            width: jobs.iter().map(|j| j.chars().count()).max().unwrap_or(0),
            colors: jobs
                .iter()
                .enumerate()
                .map(|(i, j)| (j.clone(), PALETTE[i % PALETTE.len()]))
                .collect(),
            redactor: Redactor::new(secrets),
            state: Mutex::new(State {
                total: jobs.len(),
                ..Default::default()
            }),
        }
    }

    /// Runs `f` with the live view off the terminal (a shell uses it).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.live {
            Some(m) => m.suspend(f),
            None => f(),
        }
    }

    fn paint(&self, job: &str, text: &str) -> String {
        match (self.color, self.colors.get(job)) {
            (true, Some(c)) => format!("\x1b[{c}m{text}\x1b[0m"),
            _ => text.to_string(),
        }
    }

    /// Text from a job made safe for a terminal: no control sequence but
    /// colour (and colour only when this view paints), secrets masked
    /// after the sequences are gone.
    fn clean(&self, text: &str) -> String {
        let mut out = self.redactor.redact(&strip_controls(text, self.color));
        if self.color && out.contains('\x1b') {
            out.push_str("\x1b[0m"); // the job's colour ends with its line
        }
        out
    }

    fn prefix(&self, job: &str) -> String {
        let padded = format!("{job:<w$}", w = self.width);
        self.paint(job, &format!("{padded} |"))
    }

    /// A line for people: above the live view on a terminal, else on stdout.
    fn say(&self, line: &str) {
        match &self.live {
            Some(m) => {
                let _ = m.println(line);
            }
            None => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
            }
        }
    }

    fn status_word(&self, s: JobStatus) -> String {
        let (mark, code) = match s {
            JobStatus::Succeeded => ("✓ succeeded", 32),
            JobStatus::Cached => ("✓ cached", 32),
            JobStatus::Failed => ("✗ failed", 31),
            JobStatus::TimedOut => ("✗ timed out", 31),
            JobStatus::Cancelled => ("■ cancelled", 33),
            JobStatus::Skipped => ("- skipped", 90),
            JobStatus::Pending | JobStatus::Running => ("…", 0),
        };
        if self.color {
            format!("\x1b[{code}m{mark}\x1b[0m")
        } else {
            mark.to_string()
        }
    }

    fn overall(&self, st: &mut State) {
        if let Some(m) = &self.live
            && st.overall.is_none()
        {
            let pb = m.add(ProgressBar::new(st.total as u64));
            pb.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:20}] {pos}/{len} jobs done  {elapsed}",
                )
                .expect("template")
                .progress_chars("=> "),
            );
            pb.set_prefix("run");
            pb.enable_steady_tick(Duration::from_millis(200));
            st.overall = Some(pb);
        }
    }

    /// Clears the live view (before the summary is printed).
    pub fn finish(&self) {
        let mut st = self.state.lock().expect("lock");
        let st = &mut *st;
        for (_, pb) in st.jobs.drain().chain(st.pulls.drain()) {
            pb.finish_and_clear();
        }
        if let Some(pb) = st.overall.take() {
            pb.finish_and_clear();
        }
        if let Some(m) = &self.live {
            let _ = m.clear();
        }
    }
}

impl Screen for HumanView {
    fn not_shown(&self, n: u64) {
        let run = self.state.lock().expect("lock").run_id.clone();
        self.say(&format!(
            "… {n} line{} not shown (output too fast for this terminal); see gwk runs logs {}",
            if n == 1 { "" } else { "s" },
            run.as_deref().unwrap_or("last")
        ));
    }

    fn show(&self, event: &Event) {
        match event {
            Event::ImagePull {
                image,
                current,
                total,
                ..
            } => {
                let mut st = self.state.lock().expect("lock");
                match &self.live {
                    Some(m) => {
                        let pb = st.pulls.entry(image.clone()).or_insert_with(|| {
                            let pb = m.add(ProgressBar::new(0));
                            pb.set_style(
                                ProgressStyle::with_template(
                                    "pulling {prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                                )
                                .expect("template")
                                .progress_chars("=> "),
                            );
                            pb.set_prefix(image.clone());
                            pb
                        });
                        pb.set_length(*total);
                        pb.set_position(*current);
                    }
                    None => {
                        if !st.pulls.contains_key(image) {
                            st.pulls.insert(image.clone(), ProgressBar::hidden());
                            drop(st);
                            self.say(&format!("pulling {image} ..."));
                        }
                    }
                }
            }
            Event::ImageReady { image, pulled } => {
                let pb = self.state.lock().expect("lock").pulls.remove(image);
                if let Some(pb) = pb {
                    pb.finish_and_clear();
                }
                if *pulled {
                    self.say(&format!("pulled {image}"));
                }
            }
            Event::RunStarted {
                run_id, run_dir, ..
            } => {
                if !self.quiet {
                    self.say(&format!("run {run_id} ({run_dir})"));
                }
                let mut st = self.state.lock().expect("lock");
                st.run_id = Some(run_id.clone());
                self.overall(&mut st);
            }
            Event::JobStarted {
                job, gpus, reason, ..
            } => {
                if let Some(r) = reason {
                    self.state
                        .lock()
                        .expect("lock")
                        .reasons
                        .insert(job.clone(), r.clone());
                }
                if let Some(m) = &self.live {
                    let pb = m.insert_from_back(0, ProgressBar::new_spinner());
                    pb.set_style(
                        ProgressStyle::with_template("{spinner} {prefix} running {elapsed}")
                            .expect("template"),
                    );
                    pb.set_prefix(self.paint(job, job));
                    pb.enable_steady_tick(Duration::from_millis(120));
                    self.state
                        .lock()
                        .expect("lock")
                        .jobs
                        .insert(job.clone(), pb);
                }
                if !self.quiet {
                    let on = if gpus.is_empty() {
                        String::new()
                    } else {
                        format!(" on GPU {}", gpus.join(","))
                    };
                    self.say(&format!("{} started{on}", self.prefix(job)));
                }
            }
            Event::Log { job, line, .. } if !self.quiet => {
                self.say(&format!("{} {}", self.prefix(job), self.clean(line)));
            }
            Event::OutputCommitted {
                job,
                output,
                dataset: Some(d),
                version: Some(v),
                ..
            } => {
                self.say(&format!(
                    "{} output {output}: dataset {d}, new version {v}",
                    self.prefix(job)
                ));
            }
            Event::JobFinished {
                job,
                status,
                duration_secs,
                message,
                ..
            } => {
                let mut st = self.state.lock().expect("lock");
                if let Some(pb) = st.jobs.remove(job) {
                    pb.finish_and_clear();
                }
                let reason = st.reasons.remove(job);
                st.done += 1;
                if let Some(pb) = &st.overall {
                    pb.set_position(st.done as u64);
                }
                drop(st);
                let show = !self.quiet || !status.is_success();
                if show {
                    // One line per job says why it ran: `ran: the script
                    // changed`; a cached job's message says where from.
                    let msg = [message.as_deref(), reason.as_deref()]
                        .into_iter()
                        .flatten()
                        .map(|m| self.clean(m))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let msg = if msg.is_empty() {
                        msg
                    } else {
                        format!(" ({msg})")
                    };
                    let took = if *status == JobStatus::Skipped {
                        String::new()
                    } else {
                        format!(" in {duration_secs:.1}s")
                    };
                    self.say(&format!(
                        "{} {}{took}{msg}",
                        self.prefix(job),
                        self.status_word(*status)
                    ));
                }
            }
            Event::Warning { message } => {
                self.say(&format!("warning: {}", self.clean(message)));
            }
            _ => {}
        }
    }
}

/// The table printed at the end of a run.
pub fn summary(record: &RunRecord) -> String {
    let rows: Vec<Vec<String>> = record
        .jobs
        .iter()
        .map(|j| {
            vec![
                j.name.clone(),
                j.status.as_str().to_string(),
                j.exit_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                j.duration_secs
                    .map(|d| format!("{d:.1}s"))
                    .unwrap_or_else(|| "-".into()),
                j.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::cmd::datasets::table(&["JOB", "STATUS", "EXIT", "DURATION", "NOTE"], &rows)
}
