//! The job cache: a job whose key matches a successful earlier job with
//! intact outputs is not run again; its outputs are restored.
//!
//! The key hashes everything that decides what a job produces: the action
//! (for a container: the image's id — its digest on this host — with the
//! entrypoint and arguments; for the others, their parameters, secrets
//! hashed), the environment (values hashed), the instance type and GPU
//! count, the declared outputs, and the content hash of every input.
//! Entries live in `$GWK_HOME/cache/<key>.json`. Only container jobs use
//! the cache (a clone or a download depends on a remote that may have
//! changed), but every job's key is kept in its run record, so `--resume`
//! can tell a job whose definition changed.

use crate::fsutil;
use crate::job::{ActionSpec, InputSpec, JobSpec, OutputKind};
use crate::rundir::OutputRecord;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Version of the key's recipe; a change makes every old entry a miss.
const KEY_VERSION: u32 = 2;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CacheEntry {
    pub key: String,
    pub run: String,
    pub job: String,
    pub created: String,
    pub outputs: Vec<OutputRecord>,
}

#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// What goes into a job's key.
pub struct KeyParts<'a> {
    /// The action and its parameters (see [`action_doc`]).
    pub action: serde_json::Value,
    pub env: &'a [(String, String)],
    pub instance_type: Option<&'a str>,
    pub gpus: u32,
    /// (name, kind, dataset) of each output.
    pub outputs: Vec<(String, String, Option<String>)>,
    /// (name, content hash) of each input.
    pub inputs: Vec<(String, String)>,
}

pub fn key(p: &KeyParts) -> String {
    // Environment values are hashed: secrets must never be stored, not
    // even inside a key's preimage on disk (the key itself is a hash).
    let env: Vec<(String, String)> = p
        .env
        .iter()
        .map(|(k, v)| (k.clone(), fsutil::sha256_hex(v.as_bytes())))
        .collect();
    let doc = serde_json::json!({
        "v": KEY_VERSION,
        "action": p.action,
        "env": env,
        "instance_type": p.instance_type,
        "gpus": p.gpus,
        "outputs": p.outputs,
        "inputs": p.inputs,
    });
    format!("sha256:{}", fsutil::sha256_hex(doc.to_string().as_bytes()))
}

/// An action as it goes into a key: what decides its result. `None` for
/// a container whose image id is unknown, and for unsupported actions.
pub fn action_doc(
    action: &ActionSpec,
    image_ids: &HashMap<String, String>,
) -> Option<serde_json::Value> {
    let hashed = |v: &Option<String>| v.as_deref().map(|v| fsutil::sha256_hex(v.as_bytes()));
    Some(match action {
        ActionSpec::Container {
            image,
            entrypoint,
            cmd,
        } => serde_json::json!({"container": {
            "image": image_ids.get(image)?,
            "entrypoint": entrypoint,
            "cmd": cmd,
        }}),
        ActionSpec::GitCheckout {
            url,
            git_ref,
            path,
            username,
            password,
        } => serde_json::json!({"git-checkout": {
            "url": url,
            "ref": git_ref,
            "path": path,
            "username": hashed(username),
            "password": hashed(password),
        }}),
        ActionSpec::CreateModel { name, model_type } => {
            serde_json::json!({"create-model": {"name": name, "type": model_type}})
        }
        ActionSpec::S3Download {
            url,
            region,
            endpoint,
            access_key,
            secret_access_key,
            path,
        } => serde_json::json!({"s3-download": {
            "url": url,
            "region": region,
            "endpoint": endpoint,
            "access_key": hashed(access_key),
            "secret_access_key": hashed(secret_access_key),
            "path": path,
        }}),
        ActionSpec::Unsupported { .. } => return None,
    })
}

/// A job's key, when every part is known (its image's id, each input's
/// content hash): `inputs` gives the hash of an input.
pub fn job_key(
    job: &JobSpec,
    image_ids: &HashMap<String, String>,
    input_hash: impl Fn(&InputSpec) -> Option<String>,
) -> Option<String> {
    let inputs = job
        .inputs
        .iter()
        .map(|i| Some((i.name.clone(), input_hash(i)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(key(&KeyParts {
        action: action_doc(&job.action, image_ids)?,
        env: &job.env,
        instance_type: job.instance_type.as_deref(),
        gpus: job.gpus,
        outputs: job
            .outputs
            .iter()
            .map(|o| {
                let ds = match &o.kind {
                    OutputKind::Dataset { dataset, .. } => Some(dataset.clone()),
                    _ => None,
                };
                (o.name.clone(), o.kind.as_str().to_string(), ds)
            })
            .collect(),
        inputs,
    }))
}

impl Cache {
    pub fn new(home: &Path) -> Cache {
        Cache {
            dir: home.join("cache"),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir
            .join(format!("{}.json", key.trim_start_matches("sha256:")))
    }

    pub fn lookup(&self, key: &str) -> Option<CacheEntry> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn store(&self, entry: &CacheEntry) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec_pretty(entry).expect("entry serialises");
        fsutil::write_atomic(&self.path(&entry.key), &json)
    }
}

/// Whether every output is still where the record says, with the content
/// it had.
pub fn outputs_intact(outputs: &[OutputRecord]) -> bool {
    outputs.iter().all(|o| {
        let p = Path::new(&o.path);
        let hash = match o.kind.as_str() {
            "string" => std::fs::read(p)
                .ok()
                .map(|b| format!("sha256:{}", fsutil::sha256_hex(&b))),
            _ => fsutil::hash_tree(p).ok().map(|s| s.hash),
        };
        hash.as_deref() == Some(o.hash.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(env: &'a [(String, String)], inputs: Vec<(String, String)>) -> KeyParts<'a> {
        KeyParts {
            action: serde_json::json!({"container": {"image": "sha256:img"}}),
            env,
            instance_type: Some("C4"),
            gpus: 0,
            outputs: vec![("o".into(), "volume".into(), None)],
            inputs,
        }
    }

    #[test]
    fn key_follows_inputs_and_env_and_hides_values() {
        let env = vec![("TOKEN".to_string(), "hunter2".to_string())];
        let a = key(&parts(&env, vec![("i".into(), "sha256:1".into())]));
        assert_eq!(a, key(&parts(&env, vec![("i".into(), "sha256:1".into())])));
        assert_ne!(a, key(&parts(&env, vec![("i".into(), "sha256:2".into())])));
        let env2 = vec![("TOKEN".to_string(), "other".to_string())];
        assert_ne!(a, key(&parts(&env2, vec![("i".into(), "sha256:1".into())])));
    }

    #[test]
    fn job_key_follows_the_definition() {
        let job = JobSpec {
            name: "j".into(),
            needs: vec![],
            action: ActionSpec::Container {
                image: "bash:5".into(),
                entrypoint: None,
                cmd: Some(vec!["echo".into(), "hi".into()]),
            },
            env: vec![("A".into(), "1".into())],
            inputs: vec![],
            outputs: vec![],
            instance_type: Some("C4".into()),
            gpus: 0,
            memory_bytes: None,
            timeout: None,
        };
        let ids = HashMap::from([
            ("bash:5".to_string(), "sha256:1".to_string()),
            ("bash:6".to_string(), "sha256:2".to_string()),
        ]);
        let k = |j: &JobSpec| job_key(j, &ids, |_| None).unwrap();
        let base = k(&job);
        assert_eq!(base, k(&job.clone()));
        let mut changed = Vec::new();
        let mut j = job.clone();
        j.action = ActionSpec::Container {
            image: "bash:6".into(),
            entrypoint: None,
            cmd: Some(vec!["echo".into(), "hi".into()]),
        };
        changed.push(j);
        let mut j = job.clone();
        j.action = ActionSpec::Container {
            image: "bash:5".into(),
            entrypoint: Some(vec!["sh".into()]),
            cmd: Some(vec!["echo".into(), "hi".into()]),
        };
        changed.push(j);
        let mut j = job.clone();
        j.env[0].1 = "2".into();
        changed.push(j);
        let mut j = job.clone();
        j.instance_type = Some("C5".into());
        changed.push(j);
        for j in &changed {
            assert_ne!(k(j), base, "{:?}", j);
        }
        // Unknown parts make no key.
        let mut j = job.clone();
        j.action = ActionSpec::Container {
            image: "other".into(),
            entrypoint: None,
            cmd: None,
        };
        assert!(job_key(&j, &ids, |_| None).is_none());
        let mut j = job;
        j.inputs.push(InputSpec {
            name: "i".into(),
            source: crate::job::InputSource::String { value: "v".into() },
        });
        assert!(job_key(&j, &ids, |_| None).is_none());
        assert!(job_key(&j, &ids, |_| Some("sha256:v".into())).is_some());
    }

    #[test]
    fn entries_round_trip_and_outputs_are_verified() {
        let t = tempfile::tempdir().unwrap();
        let c = Cache::new(t.path());
        let f = t.path().join("s");
        std::fs::write(&f, "v").unwrap();
        let rec = OutputRecord {
            name: "s".into(),
            kind: "string".into(),
            path: f.display().to_string(),
            hash: format!("sha256:{}", fsutil::sha256_hex(b"v")),
            ..Default::default()
        };
        let e = CacheEntry {
            key: "sha256:abc".into(),
            run: "r".into(),
            job: "j".into(),
            created: String::new(),
            outputs: vec![rec.clone()],
        };
        c.store(&e).unwrap();
        assert_eq!(c.lookup("sha256:abc").unwrap().outputs, vec![rec.clone()]);
        assert!(c.lookup("sha256:zzz").is_none());
        assert!(outputs_intact(std::slice::from_ref(&rec)));
        std::fs::write(&f, "changed").unwrap();
        assert!(!outputs_intact(&[rec]));
    }
}
