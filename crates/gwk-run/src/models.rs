//! The local model registry of `create-model@v1`:
//! `$GWK_HOME/models/<id>.json`, one file per model.

use crate::fsutil;
use crate::ids;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// The model types Gradient accepted.
pub const MODEL_TYPES: [&str; 3] = ["Tensorflow", "ONNX", "Custom"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub model_type: String,
    /// The dataset version holding the model's files.
    pub dataset: String,
    pub version: String,
    /// Where the files are (the dataset version's directory).
    pub path: String,
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

/// `type` as Gradient spelled it, accepting any letter case; an error
/// message otherwise.
pub fn check_type(t: &str) -> Result<&'static str, String> {
    MODEL_TYPES
        .iter()
        .find(|m| m.eq_ignore_ascii_case(t))
        .copied()
        .ok_or_else(|| {
            format!(
                "create-model@v1: `type: {t}` is not a model type; use {}",
                MODEL_TYPES.join(", ")
            )
        })
}

#[derive(Clone, Debug)]
pub struct ModelStore {
    root: PathBuf,
}

impl ModelStore {
    pub fn new(home: &Path) -> ModelStore {
        ModelStore {
            root: home.join("models"),
        }
    }

    /// Registers a model and returns it (with its new id).
    pub fn register(&self, mut model: Model) -> std::io::Result<Model> {
        fs::create_dir_all(&self.root)?;
        model.id = format!("mo-{}", ids::time_id());
        model.created = jiff::Timestamp::now().to_string();
        let json = serde_json::to_vec_pretty(&model).expect("model serialises");
        fsutil::write_atomic(&self.root.join(format!("{}.json", model.id)), &json)?;
        Ok(model)
    }

    /// Every model, newest first.
    pub fn list(&self) -> Vec<Model> {
        let mut out: Vec<Model> = fs::read_dir(&self.root)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .filter_map(|e| serde_json::from_slice(&fs::read(e.path()).ok()?).ok())
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by(|a: &Model, b: &Model| b.id.cmp(&a.id));
        out
    }

    /// A model by id or unique id prefix.
    pub fn get(&self, id: &str) -> Result<Model, String> {
        let all = self.list();
        let found: Vec<&Model> = all.iter().filter(|m| m.id.starts_with(id)).collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!("no model `{id}` (see `gwk models list`)")),
            _ => Err(format!(
                "`{id}` matches {} models; give more of the id",
                found.len()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_lists_and_finds_models() {
        let t = tempfile::tempdir().unwrap();
        let s = ModelStore::new(t.path());
        assert_eq!(check_type("onnx"), Ok("ONNX"));
        assert!(
            check_type("PyTorch")
                .unwrap_err()
                .contains("Tensorflow, ONNX, Custom")
        );
        let m = s
            .register(Model {
                id: String::new(),
                name: "mnist".into(),
                model_type: "Custom".into(),
                dataset: "d".into(),
                version: "v".into(),
                path: "/x".into(),
                created: String::new(),
                run: None,
                job: None,
            })
            .unwrap();
        assert!(m.id.starts_with("mo-"));
        assert_eq!(s.list(), vec![m.clone()]);
        assert_eq!(s.get(&m.id[..10]).unwrap(), m);
        assert!(s.get("nope").is_err());
    }
}
