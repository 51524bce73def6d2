//! The job cache: a job whose key matches a successful earlier job with
//! intact outputs is not run again; its outputs are restored.
//!
//! The key hashes everything that decides what a container job produces:
//! the image's id (its digest on this host), the action with its entrypoint
//! and arguments, the environment (values hashed), the instance type and
//! GPU count, the declared outputs, and the content hash of every input.
//! Entries live in `$GWK_HOME/cache/<key>.json`.

use crate::fsutil;
use crate::rundir::OutputRecord;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Version of the key's recipe; a change makes every old entry a miss.
const KEY_VERSION: u32 = 1;

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
    pub image_id: &'a str,
    pub entrypoint: Option<&'a [String]>,
    pub cmd: Option<&'a [String]>,
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
        "image": p.image_id,
        "entrypoint": p.entrypoint,
        "cmd": p.cmd,
        "env": env,
        "instance_type": p.instance_type,
        "gpus": p.gpus,
        "outputs": p.outputs,
        "inputs": p.inputs,
    });
    format!("sha256:{}", fsutil::sha256_hex(doc.to_string().as_bytes()))
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
            image_id: "sha256:img",
            entrypoint: None,
            cmd: None,
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
