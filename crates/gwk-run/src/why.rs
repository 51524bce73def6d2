//! Why a job ran, or did not: the parts of its cache key kept readable in
//! the run record ([`KeyRecord`]), compared with the same job of an
//! earlier run ([`diff`]), and said in one line ([`Change::summary`]).
//!
//! The key itself (cache.rs) is a hash: it tells *that* something changed,
//! not *what*. The record keeps what a reader may see: the image and its
//! id, the command (secrets masked), env names with their values (a value
//! holding a secret only as a hash with the store's key, so the record can
//! tell that it changed but never confirm a guess), each input's content
//! hash, the instance type, GPUs and declared outputs.

use crate::cache;
use crate::job::{ActionSpec, InputSource, JobSpec, OutputKind};
use crate::redact::{Redactor, StoreKey};
use crate::rundir::RunRecord;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The readable parts of a job's cache key, as kept in its run record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The action (`container`, `git-checkout`, ...).
    pub action: String,
    /// A container's image as written, and its id on this host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// A script@v1 job's script (secrets masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// Otherwise the command: entrypoint then arguments (secrets masked);
    /// for a host action, its parameters as JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// A hash (with the store's key) of the command or script before
    /// masking: a change inside a secret part shows here only.
    pub command_hash: String,
    /// Each env variable: its value, or `secret <hmac>` when it holds a
    /// secret.
    pub env: BTreeMap<String, String>,
    /// Each input's content hash (`unknown` before it was produced).
    pub inputs: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    pub gpus: u32,
    /// Each declared output: `name: kind` (`name: dataset NAME`).
    pub outputs: Vec<String>,
}

/// What a secret value looks like in a key record.
const SECRET_PREFIX: &str = "secret ";

impl KeyRecord {
    /// The parts of `job`'s key. `input_hash` gives an input's content
    /// hash when it is known.
    pub fn of(
        job: &JobSpec,
        image_ids: &HashMap<String, String>,
        input_hash: impl Fn(&crate::job::InputSpec) -> Option<String>,
        redactor: &Redactor,
        key: &StoreKey,
    ) -> KeyRecord {
        let masked = |s: &str| redactor.redact(s);
        let holds_secret = |s: &str| !redactor.is_empty() && redactor.redact(s) != s;
        let mut r = KeyRecord {
            instance_type: job.instance_type.clone(),
            gpus: job.gpus,
            ..Default::default()
        };
        match &job.action {
            ActionSpec::Container {
                image,
                entrypoint,
                cmd,
            } => {
                r.action = "container".into();
                r.image = Some(image.clone());
                r.image_id = image_ids.get(image).cloned();
                let shell = gwk_spec::plan::SCRIPT_SHELL;
                let raw: Vec<String> = entrypoint
                    .iter()
                    .flatten()
                    .chain(cmd.iter().flatten())
                    .cloned()
                    .collect();
                r.command_hash =
                    key.hash(serde_json::to_string(&raw).unwrap_or_default().as_bytes());
                match entrypoint.as_deref() {
                    Some([a, b, c, script]) if cmd.is_none() && [a, b, c] == shell => {
                        r.script = Some(masked(script));
                    }
                    _ => r.command = raw.iter().map(|s| masked(s)).collect(),
                }
            }
            other => {
                let doc = cache::action_doc(other, image_ids).unwrap_or_default();
                r.action = doc
                    .as_object()
                    .and_then(|o| o.keys().next().cloned())
                    .unwrap_or_else(|| "unsupported".into());
                r.command_hash = key.hash(doc.to_string().as_bytes());
                let mut shown = doc;
                redactor.redact_json(&mut shown);
                r.command = vec![shown.to_string()];
            }
        }
        for (k, v) in &job.env {
            let shown = if holds_secret(v) {
                format!("{SECRET_PREFIX}{}", key.hash(v.as_bytes()))
            } else {
                v.clone()
            };
            r.env.insert(k.clone(), shown);
        }
        for i in &job.inputs {
            let hash = match &i.source {
                // The plain hash of a secret would let a reader confirm a guess.
                InputSource::String { value } if holds_secret(value) => key.hash(value.as_bytes()),
                _ => input_hash(i).unwrap_or_else(|| "unknown".into()),
            };
            r.inputs.insert(i.name.clone(), hash);
        }
        r.outputs = job
            .outputs
            .iter()
            .map(|o| match &o.kind {
                OutputKind::Dataset {
                    dataset,
                    tag: Some(tag),
                } => format!("{}: dataset {dataset}, tagged {tag}", o.name),
                OutputKind::Dataset { dataset, tag: None } => {
                    format!("{}: dataset {dataset}", o.name)
                }
                k => format!("{}: {}", o.name, k.as_str()),
            })
            .collect();
        r
    }
}

/// One part of a key that differs between two runs of a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum Change {
    /// The image reference or its id (a new build under the same tag).
    Image {
        old: String,
        new: String,
    },
    Script {
        old: String,
        new: String,
    },
    Command {
        old: Vec<String>,
        new: Vec<String>,
    },
    /// A variable added (`old` none), removed (`new` none) or changed;
    /// `secret`: its value holds a secret, so no value is shown.
    Env {
        name: String,
        old: Option<String>,
        new: Option<String>,
        secret: bool,
    },
    /// An input's content (or the input added or removed).
    Input {
        name: String,
        old: Option<String>,
        new: Option<String>,
    },
    InstanceType {
        old: Option<String>,
        new: Option<String>,
    },
    Gpus {
        old: u32,
        new: u32,
    },
    Outputs {
        old: Vec<String>,
        new: Vec<String>,
    },
    Action {
        old: String,
        new: String,
    },
}

impl Change {
    /// A few words for the one-line reason: `the script`, `env TOKEN`.
    pub fn subject(&self) -> String {
        match self {
            Change::Image { .. } => "the image".into(),
            Change::Script { .. } => "the script".into(),
            Change::Command { .. } => "the command".into(),
            Change::Env { name, .. } => format!("env {name}"),
            Change::Input { name, .. } => format!("input {name}"),
            Change::InstanceType { .. } => "the instance type".into(),
            Change::Gpus { .. } => "the GPU count".into(),
            Change::Outputs { .. } => "the outputs".into(),
            Change::Action { .. } => "the action".into(),
        }
    }

    /// `the script changed`, `the image and env A changed`.
    pub fn summary(changes: &[Change]) -> String {
        let subjects: Vec<String> = changes.iter().map(Change::subject).collect();
        let list = match subjects.as_slice() {
            [] => return "nothing changed".into(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        format!("{list} changed")
    }
}

fn secret(v: &Option<&String>) -> bool {
    v.is_some_and(|v| v.starts_with(SECRET_PREFIX))
}

/// What differs from `old` to `new`, in the order a reader looks for it.
pub fn diff(old: &KeyRecord, new: &KeyRecord) -> Vec<Change> {
    let mut out = Vec::new();
    if old.action != new.action {
        out.push(Change::Action {
            old: old.action.clone(),
            new: new.action.clone(),
        });
        return out;
    }
    if (&old.image, &old.image_id) != (&new.image, &new.image_id) {
        let show = |r: &KeyRecord| {
            format!(
                "{} ({})",
                r.image.as_deref().unwrap_or("-"),
                r.image_id.as_deref().unwrap_or("id unknown")
            )
        };
        out.push(Change::Image {
            old: show(old),
            new: show(new),
        });
    }
    match (&old.script, &new.script) {
        (Some(a), Some(b)) if a != b || old.command_hash != new.command_hash => {
            out.push(Change::Script {
                old: a.clone(),
                new: b.clone(),
            })
        }
        (None, None) if old.command != new.command || old.command_hash != new.command_hash => out
            .push(Change::Command {
                old: old.command.clone(),
                new: new.command.clone(),
            }),
        (Some(_), None) | (None, Some(_)) => out.push(Change::Command {
            old: shown_command(old),
            new: shown_command(new),
        }),
        _ => {}
    }
    let names: std::collections::BTreeSet<&String> = old.env.keys().chain(new.env.keys()).collect();
    for name in names {
        let (a, b) = (old.env.get(name), new.env.get(name));
        if a != b {
            let secret = secret(&a) || secret(&b);
            let hide =
                |v: Option<&String>| v.map(|v| if secret { "(secret)".into() } else { v.clone() });
            out.push(Change::Env {
                name: name.clone(),
                old: hide(a),
                new: hide(b),
                secret,
            });
        }
    }
    let names: std::collections::BTreeSet<&String> =
        old.inputs.keys().chain(new.inputs.keys()).collect();
    for name in names {
        let (a, b) = (old.inputs.get(name), new.inputs.get(name));
        if a != b {
            out.push(Change::Input {
                name: name.clone(),
                old: a.cloned(),
                new: b.cloned(),
            });
        }
    }
    if old.instance_type != new.instance_type {
        out.push(Change::InstanceType {
            old: old.instance_type.clone(),
            new: new.instance_type.clone(),
        });
    }
    if old.gpus != new.gpus {
        out.push(Change::Gpus {
            old: old.gpus,
            new: new.gpus,
        });
    }
    if old.outputs != new.outputs {
        out.push(Change::Outputs {
            old: old.outputs.clone(),
            new: new.outputs.clone(),
        });
    }
    out
}

/// The script as one command line, when one side has a script and the
/// other a command.
fn shown_command(r: &KeyRecord) -> Vec<String> {
    match &r.script {
        Some(s) => gwk_spec::plan::SCRIPT_SHELL
            .iter()
            .map(|p| p.to_string())
            .chain([s.clone()])
            .collect(),
        None => r.command.clone(),
    }
}

/// The job of an earlier run to compare a job with: in the resumed run
/// first, else the newest earlier run of the same workflow file that has
/// it (with its key's parts), else of any file.
pub fn earlier_job<'a>(
    job: &str,
    file: &str,
    resumed: Option<&'a RunRecord>,
    earlier: &'a [RunRecord],
) -> Option<(&'a RunRecord, &'a crate::rundir::JobRecord)> {
    let has = |r: &'a RunRecord| r.job(job).filter(|j| j.key_parts.is_some()).map(|j| (r, j));
    resumed
        .and_then(has)
        .or_else(|| earlier.iter().filter(|r| r.file == file).find_map(has))
        .or_else(|| earlier.iter().find_map(has))
}

/// The records of the runs before `run_id` (newest first, at most
/// `limit`), to compare with.
pub fn earlier_runs(home: &std::path::Path, run_id: &str, limit: usize) -> Vec<RunRecord> {
    crate::rundir::run_ids(home)
        .into_iter()
        .filter(|id| id.as_str() < run_id)
        .filter_map(|id| crate::rundir::RunDir::open(home, &id)?.read_record().ok())
        .take(limit)
        .collect()
}

/// How many earlier runs a run reads to explain its jobs.
pub const EARLIER_RUNS_READ: usize = 200;

/// Why a job runs although it might have been reused, in one line
/// (`ran: the script changed`), and the run it was compared with.
/// `now`: its key's parts; `earlier`: the same job in an earlier run;
/// `cache_note`: why the cache does not apply to it, when it does not.
pub fn ran_reason(
    now: Option<&KeyRecord>,
    earlier: Option<(&RunRecord, &crate::rundir::JobRecord)>,
    cache_note: Option<&str>,
) -> (String, Option<String>) {
    let Some((run, old)) = earlier else {
        let why = match cache_note {
            Some(note) => format!("ran: no earlier run of this job ({note})"),
            None => "ran: no earlier run of this job".to_string(),
        };
        return (why, None);
    };
    let compared = Some(run.id.clone());
    let changes = match (now, &old.key_parts) {
        (Some(now), Some(before)) => diff(before, now),
        _ => Vec::new(),
    };
    let why = if !changes.is_empty() {
        format!("ran: {}", Change::summary(&changes))
    } else if let Some(note) = cache_note {
        format!("ran: unchanged since run {}, but {note}", run.id)
    } else if !old.status.is_success() {
        format!(
            "ran: unchanged since run {}, where it ended {}",
            run.id,
            old.status.as_str()
        )
    } else {
        format!(
            "ran: unchanged since run {}, but no intact cached outputs were found",
            run.id
        )
    };
    (why, compared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{InputSpec, OutputSpec};

    fn job() -> JobSpec {
        JobSpec {
            name: "train".into(),
            needs: vec![],
            action: ActionSpec::Container {
                image: "bash:5".into(),
                entrypoint: Some(vec![
                    "bash".into(),
                    "-e".into(),
                    "-c".into(),
                    "echo hi $TOKEN".into(),
                ]),
                cmd: None,
            },
            env: vec![
                ("MODE".into(), "fast".into()),
                ("TOKEN".into(), "hunter22".into()),
            ],
            inputs: vec![InputSpec {
                name: "data".into(),
                source: InputSource::Dataset {
                    dataset: "d".into(),
                    version: "v1".into(),
                },
            }],
            outputs: vec![OutputSpec {
                name: "model".into(),
                kind: OutputKind::Volume,
            }],
            instance_type: Some("C4".into()),
            gpus: 0,
            memory_bytes: None,
            timeout: None,
        }
    }

    struct World {
        ids: HashMap<String, String>,
        hashes: HashMap<String, String>,
        redactor: Redactor,
        key: StoreKey,
        _home: tempfile::TempDir,
    }

    impl World {
        fn new() -> World {
            let home = tempfile::tempdir().unwrap();
            World {
                ids: HashMap::from([
                    ("bash:5".into(), "sha256:aaa".into()),
                    ("alpine:3.19".into(), "sha256:bbb".into()),
                ]),
                hashes: HashMap::from([("data".into(), "sha256:d1".into())]),
                redactor: Redactor::new(["hunter22", "s3cr3t-in-script"]),
                key: StoreKey::load_or_create(home.path()).unwrap(),
                _home: home,
            }
        }
        fn record(&self, j: &JobSpec) -> KeyRecord {
            KeyRecord::of(
                j,
                &self.ids,
                |i| self.hashes.get(&i.name).cloned(),
                &self.redactor,
                &self.key,
            )
        }
        fn changes(&self, j: &JobSpec) -> Vec<Change> {
            diff(&self.record(&job()), &self.record(j))
        }
    }

    fn set_script(j: &mut JobSpec, script: &str) {
        if let ActionSpec::Container { entrypoint, .. } = &mut j.action {
            entrypoint.as_mut().unwrap()[3] = script.into();
        }
    }

    #[test]
    fn the_same_job_has_no_change() {
        let w = World::new();
        assert_eq!(w.changes(&job()), vec![]);
    }

    #[test]
    fn each_cause_is_told_apart() {
        let mut w = World::new();
        // The image: another tag, or the same tag rebuilt.
        let mut j = job();
        if let ActionSpec::Container { image, .. } = &mut j.action {
            *image = "alpine:3.19".into();
        }
        assert_eq!(
            w.changes(&j),
            vec![Change::Image {
                old: "bash:5 (sha256:aaa)".into(),
                new: "alpine:3.19 (sha256:bbb)".into()
            }]
        );
        // The script.
        let mut j = job();
        set_script(&mut j, "echo bye");
        let c = w.changes(&j);
        assert_eq!(Change::summary(&c), "the script changed");
        // An env value, an added variable.
        let mut j = job();
        j.env[0].1 = "slow".into();
        j.env.push(("NEW".into(), "1".into()));
        assert_eq!(
            Change::summary(&w.changes(&j)),
            "env MODE and env NEW changed"
        );
        // The instance type.
        let mut j = job();
        j.instance_type = Some("C5".into());
        assert_eq!(
            w.changes(&j),
            vec![Change::InstanceType {
                old: Some("C4".into()),
                new: Some("C5".into())
            }]
        );
        // An input's content.
        let before = w.record(&job());
        w.hashes.insert("data".into(), "sha256:d2".into());
        let after = w.record(&job());
        assert_eq!(
            diff(&before, &after),
            vec![Change::Input {
                name: "data".into(),
                old: Some("sha256:d1".into()),
                new: Some("sha256:d2".into())
            }]
        );
        // The image rebuilt under the same tag.
        w.ids.insert("bash:5".into(), "sha256:ccc".into());
        assert_eq!(
            Change::summary(&diff(&before, &w.record(&job()))),
            "the image and input data changed"
        );
    }

    #[test]
    fn secrets_are_never_in_the_record_but_their_change_shows() {
        let w = World::new();
        let r = w.record(&job());
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("hunter22"), "{text}");
        assert!(r.env["TOKEN"].starts_with("secret hmac-sha256:"), "{text}");
        assert_eq!(r.env["MODE"], "fast");
        let mut j = job();
        j.env[1].1 = "hunter23".into();
        let c = w.changes(&j);
        assert_eq!(
            c,
            vec![Change::Env {
                name: "TOKEN".into(),
                old: Some("(secret)".into()),
                new: Some("(secret)".into()),
                secret: true
            }]
        );
        // A secret written into the script: masked in the record, and a
        // change of it still shows.
        let mut a = job();
        set_script(&mut a, "echo s3cr3t-in-script");
        let mut b = job();
        set_script(&mut b, "echo hunter22");
        let (ra, rb) = (w.record(&a), w.record(&b));
        assert!(!serde_json::to_string(&ra).unwrap().contains("s3cr3t"));
        assert_eq!(ra.script, rb.script, "both masked alike");
        assert_eq!(Change::summary(&diff(&ra, &rb)), "the script changed");
    }

    #[test]
    fn a_job_that_ran_says_why_it_was_not_reused() {
        use crate::events::{JobStatus, RunStatus};
        use crate::rundir::JobRecord;
        let w = World::new();
        let parts = w.record(&job());
        let earlier = |status: JobStatus, parts: KeyRecord| RunRecord {
            id: "r1".into(),
            file: "wf.yaml".into(),
            status: RunStatus::Succeeded,
            started: String::new(),
            finished: None,
            duration_secs: None,
            resumed_from: None,
            triggered_by: None,
            jobs: vec![JobRecord {
                status,
                key_parts: Some(parts),
                ..JobRecord::new("train")
            }],
        };
        let why = |run: &RunRecord, note: Option<&str>| {
            ran_reason(Some(&parts), run.job("train").map(|j| (run, j)), note)
        };
        assert_eq!(
            ran_reason(Some(&parts), None, None),
            ("ran: no earlier run of this job".to_string(), None)
        );
        let ok = earlier(JobStatus::Succeeded, parts.clone());
        assert_eq!(
            why(&ok, Some("the cache is off (--no-cache)")).0,
            "ran: unchanged since run r1, but the cache is off (--no-cache)"
        );
        assert_eq!(
            why(&ok, None),
            (
                "ran: unchanged since run r1, but no intact cached outputs were found".to_string(),
                Some("r1".to_string())
            )
        );
        let failed = earlier(JobStatus::Failed, parts.clone());
        assert_eq!(
            why(&failed, None).0,
            "ran: unchanged since run r1, where it ended failed"
        );
        // A change wins over the cache note.
        let mut j = job();
        j.instance_type = Some("C7".into());
        let changed = earlier(JobStatus::Succeeded, w.record(&j));
        assert_eq!(
            why(&changed, Some("the cache is off (--no-cache)")).0,
            "ran: the instance type changed"
        );
        // The resumed run is compared with first, then the same file.
        let other = RunRecord {
            id: "r0".into(),
            file: "other.yaml".into(),
            ..ok.clone()
        };
        let list = vec![other.clone(), changed.clone()];
        assert_eq!(
            earlier_job("train", "wf.yaml", None, &list).unwrap().0.id,
            "r1"
        );
        assert_eq!(
            earlier_job("train", "wf.yaml", Some(&other), &list)
                .unwrap()
                .0
                .id,
            "r0"
        );
        assert!(earlier_job("nope", "wf.yaml", None, &list).is_none());
    }
}
