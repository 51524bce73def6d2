//! What every export test shares: building a plan from text, Argo's schema
//! (read where it lies, in ../shared/argo), and the checks every exported
//! manifest must pass.

#![allow(dead_code)] // each test binary uses its own part

use gwk_argo::{Export, Settings, Source, export, to_value, to_yaml};
use gwk_spec::Config;
use gwk_spec::plan::{MountKind, MountSource, NoStore, Plan, PlanOptions, plan};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

pub use gwk_test_support::shared_dir;

/// The repository's root.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The corpus files SOURCES.md calls valid (the schema test and the checkov
/// test export the same files), by the one reader of SOURCES.md.
pub fn valid_corpus_files() -> Option<Vec<PathBuf>> {
    gwk_test_support::corpus::valid_files()
}

pub const WORKFLOW_DEF: &str = "io.argoproj.workflow.v1alpha1.Workflow";

/// Argo's schema, rooted at the Workflow definition.
pub struct Schema {
    pub validator: jsonschema::Validator,
    pub definitions: Map<String, Value>,
}

/// Argo's published schema, or `None` when ../shared/argo is absent.
pub fn schema() -> Option<&'static Schema> {
    static SCHEMA: OnceLock<Option<Schema>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let path = shared_dir()?.join("argo/workflow.schema.json");
            let text = std::fs::read_to_string(&path).ok()?;
            let full: Value = serde_json::from_str(&text).expect("the Argo schema is JSON");
            let definitions = full["definitions"]
                .as_object()
                .expect("the Argo schema has definitions")
                .clone();
            assert!(definitions.contains_key(WORKFLOW_DEF));
            let rooted = json!({
                "$schema": full["$schema"],
                "$ref": format!("#/definitions/{WORKFLOW_DEF}"),
                "definitions": definitions,
            });
            let validator = jsonschema::validator_for(&rooted).expect("the Argo schema compiles");
            Some(Schema {
                validator,
                definitions,
            })
        })
        .as_ref()
}

pub fn skip_note(what: &str) {
    eprintln!("SKIPPED: ../shared/argo is absent; {what} were not validated against Argo's schema");
}

/// The plan of `text` (which must have no errors) with default options.
pub fn plan_text(name: &str, text: &str, config: &Config) -> Plan {
    let analysis = gwk_spec::analyze(text, config);
    assert!(
        !analysis.has_errors(),
        "{name} has errors: {:#?}",
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == gwk_spec::Severity::Error)
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    let wf = analysis.workflow.expect("a workflow");
    plan(&wf, config, &PlanOptions::default(), &NoStore).expect("a plan")
}

/// Exports `text` with `settings`; panics on a refusal.
pub fn export_text(name: &str, text: &str, settings: &Settings) -> (Plan, Export) {
    let config = Config::default();
    let plan = plan_text(name, text, &config);
    let source = Source {
        name: name.to_string(),
        path: format!("{name}.yaml"),
        container_registries: Vec::new(),
    };
    let export = export(&plan, &source, settings).unwrap_or_else(|e| panic!("{name}: {e}"));
    (plan, export)
}

/// Everything wrong with an exported manifest: schema errors, keys the
/// schema does not know, and broken invariants. Empty when all is well.
pub fn problems(plan: &Plan, export: &Export) -> Vec<String> {
    let doc = to_value(&export.workflow);
    let mut out = Vec::new();
    if let Some(schema) = schema() {
        out.extend(
            schema
                .validator
                .iter_errors(&doc)
                .map(|e| format!("schema: {e} at {}", e.instance_path())),
        );
        unknown_keys(
            &doc,
            &json!({"$ref": format!("#/definitions/{WORKFLOW_DEF}")}),
            &schema.definitions,
            "",
            &mut out,
        );
    }
    invariants(plan, &doc, &mut out);
    // The YAML must read back to the same document.
    let yaml = to_yaml(&export.workflow);
    match serde_saphyr::from_str::<Value>(&yaml) {
        Ok(back) if back == doc => {}
        Ok(_) => out.push("the YAML reads back to another document than the JSON".into()),
        Err(e) => out.push(format!("the YAML does not parse: {e}")),
    }
    out
}

/// Keys of `value` that the schema node does not declare. Argo's schema
/// has no `additionalProperties: false`, so a misspelled field passes
/// validation; this walk finds it.
pub fn unknown_keys(
    value: &Value,
    node: &Value,
    defs: &Map<String, Value>,
    path: &str,
    out: &mut Vec<String>,
) {
    let mut node = node;
    while let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        node = &defs[name];
    }
    match value {
        Value::Object(map) => {
            let props = node.get("properties").and_then(Value::as_object);
            let extra = node.get("additionalProperties").filter(|v| v.is_object());
            for (k, v) in map {
                let here = format!("{path}.{k}");
                match (props.and_then(|p| p.get(k)), extra) {
                    (Some(sub), _) | (None, Some(sub)) => unknown_keys(v, sub, defs, &here, out),
                    (None, None) => out.push(format!("unknown key {here}")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = node.get("items") {
                for (i, v) in items.iter().enumerate() {
                    unknown_keys(v, item, defs, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn is_label(s: &str) -> bool {
    gwk_argo::names::is_dns_label(s)
}

/// The fields that matter, asserted directly.
fn invariants(plan: &Plan, doc: &Value, out: &mut Vec<String>) {
    let spec = &doc["spec"];
    if doc["apiVersion"] != "argoproj.io/v1alpha1" || doc["kind"] != "Workflow" {
        out.push("not an argoproj.io/v1alpha1 Workflow".into());
    }
    let gen_name = doc["metadata"]["generateName"].as_str().unwrap_or_default();
    if !gen_name.ends_with('-') || !is_label(gen_name.trim_end_matches('-')) || gen_name.len() > 58
    {
        out.push(format!(
            "generateName `{gen_name}` is not a short DNS-1123 label and `-`"
        ));
    }
    // The run's deadline is an integer at workflow level.
    if spec["activeDeadlineSeconds"].as_u64() != plan.timeout {
        out.push(format!(
            "workflow timeout {:?} became {}",
            plan.timeout, spec["activeDeadlineSeconds"]
        ));
    }
    let templates = spec["templates"].as_array().cloned().unwrap_or_default();
    let entry = spec["entrypoint"].as_str().unwrap_or_default();
    let Some(main) = templates.iter().find(|t| t["name"] == entry) else {
        out.push(format!("no entrypoint template `{entry}`"));
        return;
    };
    let tasks = main["dag"]["tasks"].as_array().cloned().unwrap_or_default();

    // Names: unique labels.
    let names: Vec<&str> = templates
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    if unique.len() != names.len() {
        out.push(format!("template names repeat: {names:?}"));
    }
    for n in &names {
        if !is_label(n) {
            out.push(format!("template name `{n}` is not a DNS-1123 label"));
        }
    }
    let claims: BTreeSet<String> = spec["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            c["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    for c in &claims {
        if !is_label(c) {
            out.push(format!("claim `{c}` is not a DNS-1123 label"));
        }
    }

    // Jobs ↔ tasks ↔ templates, through the gwk.dev/job annotation.
    let job_of_template: HashMap<&str, &str> = templates
        .iter()
        .filter_map(|t| {
            Some((
                t["name"].as_str()?,
                t["metadata"]["annotations"][gwk_argo::JOB_ANNOTATION].as_str()?,
            ))
        })
        .collect();
    let task_of_job: HashMap<&str, &str> = tasks
        .iter()
        .filter_map(|t| {
            let tpl = t["template"].as_str()?;
            Some((*job_of_template.get(tpl)?, t["name"].as_str()?))
        })
        .collect();
    if tasks.len() != plan.jobs.len() || task_of_job.len() != plan.jobs.len() {
        out.push(format!(
            "{} jobs but {} tasks ({} traced to a job)",
            plan.jobs.len(),
            tasks.len(),
            task_of_job.len()
        ));
    }
    let params: BTreeSet<&str> = spec["arguments"]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();

    for job in &plan.jobs {
        let Some(&task_name) = task_of_job.get(job.name.as_str()) else {
            out.push(format!("job `{}` has no task", job.name));
            continue;
        };
        let task = tasks.iter().find(|t| t["name"] == task_name).unwrap();
        let template = templates
            .iter()
            .find(|t| t["name"] == task["template"])
            .unwrap();
        let container = &template["container"];

        // Every needs edge is in depends, and depends holds nothing else.
        let depends: BTreeSet<String> = task["depends"]
            .as_str()
            .map(|d| d.split(" && ").map(str::to_string).collect())
            .unwrap_or_default();
        let expected: BTreeSet<String> = job
            .needs
            .iter()
            .map(|n| format!("{}.Succeeded", task_of_job.get(n.as_str()).unwrap_or(&"?")))
            .collect();
        if depends != expected {
            out.push(format!(
                "job `{}`: depends {depends:?}, needs give {expected:?}",
                job.name
            ));
        }

        // Every mount has a source: a volume of the template, or a claim.
        let volumes: BTreeSet<&str> = template["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["name"].as_str())
            .collect();
        let mounts = container["volumeMounts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for m in &mounts {
            let n = m["name"].as_str().unwrap_or_default();
            if !volumes.contains(n) && !claims.contains(n) {
                out.push(format!("job `{}`: mount `{n}` has no volume", job.name));
            }
        }
        // Every input artifact has a source: raw data, a key, or `from`.
        let task_args: HashMap<&str, &Value> = task["arguments"]["artifacts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Some((a["name"].as_str()?, a)))
            .collect();
        for a in template["inputs"]["artifacts"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let n = a["name"].as_str().unwrap_or_default();
            let sourced = a.get("raw").is_some()
                || a.get("s3").is_some()
                || task_args.get(n).is_some_and(|t| t.get("from").is_some());
            if !sourced || a["path"].as_str().is_none() {
                out.push(format!(
                    "job `{}`: input artifact `{n}` has no source",
                    job.name
                ));
            }
        }
        // Every /inputs and /outputs of the plan is there.
        let mounted = |target: &str| {
            mounts.iter().any(|m| m["mountPath"] == target)
                || template["inputs"]["artifacts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|a| a["path"] == target)
                || template["outputs"]["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["valueFrom"]["path"] == target)
        };
        for m in &job.mounts {
            if !mounted(&m.target) {
                out.push(format!("job `{}`: {} is missing", job.name, m.target));
            }
            let read_only_mount = mounts
                .iter()
                .find(|x| x["mountPath"] == m.target.as_str())
                .map(|x| x["readOnly"] == true);
            if let (MountSource::JobOutput { .. }, Some(MountKind::Volume)) = (&m.source, m.kind)
                && read_only_mount != Some(true)
            {
                out.push(format!("job `{}`: {} is not read-only", job.name, m.target));
            }
        }
        // GPUs.
        let gpu = &container["resources"]["limits"]["nvidia.com/gpu"];
        if job.gpus > 0 {
            if gpu != &Value::String(job.gpus.to_string()) {
                out.push(format!(
                    "job `{}` has {} GPUs but limits say {gpu}",
                    job.name, job.gpus
                ));
            }
            // Kubernetes refuses an extended resource whose request differs.
            let requested = &container["resources"]["requests"]["nvidia.com/gpu"];
            if requested != gpu {
                out.push(format!(
                    "job `{}` requests {requested} GPUs but its limit is {gpu}",
                    job.name
                ));
            }
        } else if !gpu.is_null() {
            out.push(format!("CPU job `{}` asks for GPUs", job.name));
        }
        // Timeouts are strings on templates.
        match (job.timeout, &template["activeDeadlineSeconds"]) {
            (Some(t), Value::String(s)) if s == &t.to_string() => {}
            (None, Value::Null) => {}
            (t, v) => out.push(format!("job `{}`: timeout {t:?} became {v}", job.name)),
        }
        // Secrets become secretKeyRefs.
        let env = container["env"].as_array().cloned().unwrap_or_default();
        for e in &job.env {
            let var = env.iter().find(|v| v["name"] == e.name.as_str());
            let ok = match (&e.value, var) {
                (gwk_spec::plan::Value::Secret(s), Some(v)) => {
                    v["valueFrom"]["secretKeyRef"]["key"] == s.as_str() && v.get("value").is_none()
                }
                (gwk_spec::plan::Value::Value(s), Some(v)) => v["value"] == s.as_str(),
                _ => false,
            };
            if !ok {
                out.push(format!("job `{}`: env {} is not mapped", job.name, e.name));
            }
        }
    }

    // References name things that exist.
    let text = doc.to_string();
    for r in references(&text, "workflow.parameters.") {
        if !params.contains(r.as_str()) {
            out.push(format!(
                "`{{{{workflow.parameters.{r}}}}}` names no parameter"
            ));
        }
    }
    let outputs: BTreeMap<(&str, &str, &str), ()> = tasks
        .iter()
        .flat_map(|t| {
            let tpl = templates
                .iter()
                .find(|x| x["name"] == t["template"])
                .unwrap();
            let task = t["name"].as_str().unwrap_or_default();
            let ps = tpl["outputs"]["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(move |p| Some(((task, "parameters", p["name"].as_str()?), ())));
            let as_ = tpl["outputs"]["artifacts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(move |p| Some(((task, "artifacts", p["name"].as_str()?), ())));
            ps.chain(as_).collect::<Vec<_>>()
        })
        .collect();
    for r in references(&text, "tasks.") {
        let parts: Vec<&str> = r.splitn(4, '.').collect();
        let ok = parts.len() == 4
            && parts[1] == "outputs"
            && outputs.contains_key(&(parts[0], parts[2], parts[3]));
        if !ok {
            out.push(format!("`{{{{tasks.{r}}}}}` names no output"));
        }
    }
}

/// The names after `prefix` inside `{{...}}` in `text`.
fn references(text: &str, prefix: &str) -> Vec<String> {
    let needle = format!("{{{{{prefix}");
    text.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            rest.find("}}").map(|end| rest[..end].to_string())
        })
        .collect()
}

/// Fails with every problem of every manifest, numbered.
pub fn assert_no_problems(results: &[(String, Vec<String>)]) {
    let bad: Vec<String> = results
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(name, p)| format!("{name}:\n  {}", p.join("\n  ")))
        .collect();
    assert!(
        bad.is_empty(),
        "{} manifests have problems:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
