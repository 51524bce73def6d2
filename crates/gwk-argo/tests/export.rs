//! Exported manifests validate against Argo's schema and keep the fields
//! that matter: for gwk's fixtures and the examples (also snapshotted), for
//! every valid file of the corpus, and for generated workflows.

mod common;

use common::*;
use gwk_argo::{ExportError, Settings, Source, export, to_yaml};
use gwk_spec::Config;
use gwk_spec::plan::{MountSource, Value};
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    files
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Exports each file, snapshots its YAML, and checks it.
fn export_and_snapshot(files: &[PathBuf], prefix: &str) {
    let mut results = Vec::new();
    let mut snapshots = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = stem(f);
        let (plan, ex) = export_text(&name, &text, &Settings::default());
        snapshots.push((format!("{prefix}{name}"), to_yaml(&ex.workflow)));
        results.push((f.display().to_string(), problems(&plan, &ex)));
    }
    assert_no_problems(&results);
    for (name, yaml) in snapshots {
        insta::assert_snapshot!(name, yaml);
    }
}

#[test]
fn fixtures_export_to_valid_manifests() {
    let files = yaml_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"));
    assert!(files.len() >= 2);
    if schema().is_none() {
        skip_note("the fixtures' manifests");
    }
    export_and_snapshot(&files, "fixture-");
}

#[test]
fn examples_export_to_valid_manifests() {
    let files = yaml_files(&repo_dir().join("examples"));
    assert!(!files.is_empty(), "examples/ has no workflow");
    if schema().is_none() {
        skip_note("the examples' manifests");
    }
    export_and_snapshot(&files, "example-");
}

#[test]
fn every_valid_corpus_file_exports_to_a_valid_manifest() {
    let Some(files) = valid_corpus_files() else {
        eprintln!("SKIPPED: ../shared/corpus is absent; the corpus was not exported");
        return;
    };
    if schema().is_none() {
        skip_note("the corpus manifests");
    }
    assert!(files.len() >= 40, "only {} valid corpus files", files.len());
    let mut results = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let (plan, ex) = export_text(&stem(f), &text, &Settings::default());
        results.push((f.display().to_string(), problems(&plan, &ex)));
    }
    assert_no_problems(&results);
    eprintln!("exported and checked {} corpus files", files.len());
}

/// A deterministic generator of valid workflows that use every kind of
/// input and output, every action, GPU types, secrets, timeouts and job
/// names that need sanitizing.
fn generate(seed: u64, jobs: usize) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut rnd = move |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n.max(1)
    };
    let name_styles = ["step{}", "Step_{}", "stepNumber{}", "STEP-{}", "step_{}"];
    let mut out = String::new();
    if seed.is_multiple_of(2) {
        out.push_str("timeout: 7200\n");
    }
    out.push_str(
        "defaults:\n  resources:\n    instance-type: C5\n  env:\n    SHARED: \"yes\"\n    TOKEN: secret:HF_TOKEN\ninputs:\n  raw:\n    type: dataset\n    with:\n      ref: raw-data:v2\n  rate:\n    type: string\n    with:\n      value: \"0.01\"\n  free:\n    type: string\njobs:\n",
    );
    // (job name, output name)
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for i in 0..jobs {
        // Two styles per index can clash after sanitizing (step_3, Step_3).
        let name = name_styles[rnd(name_styles.len())].replace("{}", &i.to_string());
        let name = if names.contains(&name) {
            format!("{name}x")
        } else {
            name
        };
        let mut job = format!("  {name}:\n");
        let mut needs = Vec::new();
        let mut inputs = String::new();
        if !outputs.is_empty() {
            for _ in 0..rnd(4) {
                let (pj, po) = outputs[rnd(outputs.len())].clone();
                let input = format!("in-{po}");
                if inputs.contains(&format!("      {input}:")) {
                    continue;
                }
                inputs.push_str(&format!("      {input}: {pj}.outputs.{po}\n"));
                if !needs.contains(&pj) {
                    needs.push(pj);
                }
            }
        }
        match rnd(5) {
            0 => inputs.push_str("      data: workflow.inputs.raw\n"),
            1 => inputs
                .push_str("      lr: workflow.inputs.rate\n      free: workflow.inputs.free\n"),
            2 => inputs.push_str(&format!(
                "      inline:\n        type: dataset\n        with:\n          ref: extra-{}\n",
                rnd(3)
            )),
            _ => {}
        }
        if !needs.is_empty() {
            job.push_str(&format!("    needs: [{}]\n", needs.join(", ")));
        }
        if !inputs.is_empty() {
            job.push_str("    inputs:\n");
            job.push_str(&inputs);
        }
        if rnd(4) == 0 {
            let it = ["P4000", "A100x4", "RTX5000x2", "V100", "C7", "A4000"][rnd(6)];
            job.push_str(&format!("    resources:\n      instance-type: {it}\n"));
        }
        if rnd(3) == 0 {
            job.push_str(&format!("    timeout: {}\n", 60 + rnd(3600)));
        }
        if rnd(3) == 0 {
            job.push_str(&format!(
                "    env:\n      STEP: \"{i}\"\n      KEY_{i}: secret:key-{}\n",
                rnd(3)
            ));
        }
        // Outputs of this job.
        let (vol, msg, ds) = (format!("vol{i}"), format!("msg{i}"), format!("ds{i}"));
        let action = if i < 2 && rnd(2) == 0 {
            "git"
        } else {
            "script"
        };
        if action == "git" {
            job.push_str(&format!(
                "    uses: git-checkout@v1\n    with:\n      url: https://github.com/example/repo{i}.git\n      ref: v1.{i}\n    outputs:\n      {vol}:\n        type: volume\n"
            ));
            outputs.push((name.clone(), vol));
        } else {
            job.push_str(&format!(
                "    uses: script@v1\n    with:\n      image: bash:5\n      script: |-\n        echo {name}\n        ls /inputs || true\n        echo done > /outputs/{msg}\n    outputs:\n      {vol}:\n        type: volume\n      {msg}:\n        type: string\n"
            ));
            outputs.push((name.clone(), vol));
            outputs.push((name.clone(), msg));
            if rnd(3) == 0 {
                job.push_str(&format!(
                    "      {ds}:\n        type: dataset\n        with:\n          ref: out-{i}\n"
                ));
                outputs.push((name.clone(), ds));
            }
        }
        out.push_str(&job);
        names.push(name);
    }
    out
}

#[test]
fn generated_workflows_export_to_valid_manifests() {
    if schema().is_none() {
        skip_note("the generated manifests");
    }
    let mut results = Vec::new();
    for seed in 0..24u64 {
        let text = generate(seed, 3 + (seed as usize * 7) % 40);
        let (plan, ex) = export_text(&format!("generated-{seed}"), &text, &Settings::default());
        results.push((format!("seed {seed}"), problems(&plan, &ex)));
    }
    assert_no_problems(&results);
}

#[test]
fn the_shared_generator_workflows_export_to_valid_manifests() {
    let Some(tool) = shared_dir()
        .map(|d| d.join("tools/gen_workflow.py"))
        .filter(|p| p.is_file())
    else {
        eprintln!("SKIPPED: ../shared/tools/gen_workflow.py is absent");
        return;
    };
    let mut results = Vec::new();
    for (jobs, seed) in [(5, 1), (60, 7), (300, 3)] {
        let out = match std::process::Command::new("python3")
            .arg(&tool)
            .arg(jobs.to_string())
            .args(["--seed", &seed.to_string()])
            .output()
        {
            Ok(o) if o.status.success() => o.stdout,
            other => {
                eprintln!("SKIPPED: python3 cannot run gen_workflow.py ({other:?})");
                return;
            }
        };
        let text = String::from_utf8(out).unwrap();
        let (plan, ex) = export_text(&format!("gen-{jobs}"), &text, &Settings::default());
        results.push((
            format!("gen_workflow.py {jobs} --seed {seed}"),
            problems(&plan, &ex),
        ));
    }
    assert_no_problems(&results);
}

#[test]
fn the_checks_catch_what_they_are_for() {
    // A checker that finds nothing in a broken manifest proves nothing:
    // break good manifests on purpose and expect each check to object.
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/everything.yaml"),
    )
    .unwrap();
    let (plan, good) = export_text("everything", &text, &Settings::default());
    assert_eq!(problems(&plan, &good), Vec::<String>::new());

    let mut broken = good.clone();
    let dag = broken.workflow.spec.templates[0].dag.as_mut().unwrap();
    let train = dag.tasks.iter_mut().find(|t| t.name == "train").unwrap();
    train.depends = Some("prepare.Succeeded".into());
    let p = problems(&plan, &broken);
    assert!(
        p.iter().any(|m| m.contains("job `Train`: depends")),
        "{p:?}"
    );

    let mut broken = good.clone();
    let t = broken
        .workflow
        .spec
        .templates
        .iter_mut()
        .find(|t| t.name == "train")
        .unwrap();
    let c = t.container.as_mut().unwrap();
    c.resources.limits.remove("nvidia.com/gpu");
    c.volume_mounts[1].name = "nowhere".into();
    let p = problems(&plan, &broken);
    assert!(p.iter().any(|m| m.contains("2 GPUs")), "{p:?}");
    assert!(
        p.iter()
            .any(|m| m.contains("mount `nowhere` has no volume")),
        "{p:?}"
    );

    let mut broken = good.clone();
    let t = broken
        .workflow
        .spec
        .templates
        .iter_mut()
        .find(|t| t.name == "train")
        .unwrap();
    t.inputs.artifacts.retain(|a| a.raw.is_some()); // drops `tokens`' source pairing
    t.inputs.artifacts.push(gwk_argo::manifest::Artifact {
        name: "orphan".into(),
        path: Some("/inputs/orphan".into()),
        ..Default::default()
    });
    t.active_deadline_seconds = None;
    let p = problems(&plan, &broken);
    assert!(
        p.iter().any(|m| m.contains("`orphan` has no source")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.contains("/inputs/tokens is missing")),
        "{p:?}"
    );
    assert!(p.iter().any(|m| m.contains("timeout Some(3601)")), "{p:?}");

    if let Some(schema) = schema() {
        // A misspelled key passes Argo's schema but not the key walk.
        let mut doc = gwk_argo::to_value(&good.workflow);
        doc["spec"]["volumeClaimGc"] = doc["spec"]["volumeClaimGC"].take();
        doc["spec"].as_object_mut().unwrap().remove("volumeClaimGC");
        assert!(schema.validator.is_valid(&doc), "the schema is permissive");
        let mut unknown = Vec::new();
        unknown_keys(
            &doc,
            &serde_json::json!({"$ref": format!("#/definitions/{WORKFLOW_DEF}")}),
            &schema.definitions,
            "",
            &mut unknown,
        );
        assert_eq!(unknown, ["unknown key .spec.volumeClaimGc"]);
        // A number where Argo wants a string fails the schema.
        let mut doc = gwk_argo::to_value(&good.workflow);
        doc["spec"]["templates"][4]["activeDeadlineSeconds"] = 3601.into();
        assert!(!schema.validator.is_valid(&doc));
    }
}

#[test]
fn settings_shape_the_manifest() {
    let table: toml::Table = toml::from_str(
        r#"
secret-name = "team-secrets"
namespace = "ml"
service-account = "runner"
artifact-repository = "repos"
artifact-repository-key = "minio"
image-pull-secrets = ["regcred"]
volume-size = "20Gi"
volume-access-mode = "ReadWriteMany"
storage-class = "nfs"
instance-type-label = "gwk.dev/instance-type"
parallelism = 3
dataset-latest = false
[node-selector]
"kubernetes.io/os" = "linux"
[labels]
team = "vision"
[instance-types.A100x2]
cpu = 20
memory = "150Gi"
node-selector = { "nvidia.com/gpu.product" = "NVIDIA-A100-SXM4-40GB" }
[instance-types.C5]
cpu = "3500m"
"#,
    )
    .unwrap();
    let settings = Settings::from_table(&table).unwrap();
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/everything.yaml"),
    )
    .unwrap();
    let (plan, ex) = export_text("everything", &text, &settings);
    assert_eq!(problems(&plan, &ex), Vec::<String>::new());
    let doc = gwk_argo::to_value(&ex.workflow);
    let spec = &doc["spec"];
    assert_eq!(doc["metadata"]["namespace"], "ml");
    assert_eq!(doc["metadata"]["labels"]["team"], "vision");
    assert_eq!(spec["serviceAccountName"], "runner");
    assert_eq!(spec["parallelism"], 3);
    assert_eq!(spec["artifactRepositoryRef"]["configMap"], "repos");
    assert_eq!(spec["artifactRepositoryRef"]["key"], "minio");
    assert_eq!(spec["imagePullSecrets"][0]["name"], "regcred");
    let claim = &spec["volumeClaimTemplates"][0]["spec"];
    assert_eq!(claim["accessModes"][0], "ReadWriteMany");
    assert_eq!(claim["storageClassName"], "nfs");
    assert_eq!(claim["resources"]["requests"]["storage"], "20Gi");
    let tpl = |name: &str| {
        spec["templates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()
            .clone()
    };
    let train = tpl("train");
    assert_eq!(train["nodeSelector"]["kubernetes.io/os"], "linux");
    assert_eq!(train["nodeSelector"]["gwk.dev/instance-type"], "A100x2");
    assert_eq!(
        train["nodeSelector"]["nvidia.com/gpu.product"],
        "NVIDIA-A100-SXM4-40GB"
    );
    // Values set per instance type are taken outright: request and limit.
    let res = &train["container"]["resources"];
    assert_eq!(res["requests"]["cpu"], "20");
    assert_eq!(res["limits"]["cpu"], "20");
    assert_eq!(res["requests"]["memory"], "150Gi");
    assert_eq!(res["limits"]["memory"], "150Gi");
    assert_eq!(res["limits"]["nvidia.com/gpu"], "2");
    assert_eq!(train["nodeSelector"]["nvidia.com/gpu.present"], "true");
    assert_eq!(
        train["container"]["env"][0]["valueFrom"]["secretKeyRef"]["name"],
        "team-secrets"
    );
    // dataset-latest = false: one artifact per dataset output.
    assert_eq!(train["outputs"]["artifacts"].as_array().unwrap().len(), 1);
    // C5: cpu overridden, memory still from the catalog (8 GB).
    let prep = tpl("prepare");
    let res = &prep["container"]["resources"];
    assert_eq!(res["requests"]["cpu"], "3500m");
    assert_eq!(res["limits"]["cpu"], "3500m");
    assert_eq!(res["requests"]["memory"], "6Gi");
    assert_eq!(res["limits"]["memory"], "8Gi");
    assert_eq!(prep["nodeSelector"]["gwk.dev/instance-type"], "C5");
    assert!(prep["nodeSelector"].get("nvidia.com/gpu.present").is_none());

    // catalog-resources = false: GPUs only.
    let table: toml::Table = toml::from_str("catalog-resources = false").unwrap();
    let (_, ex) = export_text("everything", &text, &Settings::from_table(&table).unwrap());
    let doc = gwk_argo::to_value(&ex.workflow);
    let train = doc["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "train")
        .unwrap()
        .clone();
    assert_eq!(
        train["container"]["resources"],
        serde_json::json!({"requests": {"nvidia.com/gpu": "2"}, "limits": {"nvidia.com/gpu": "2"}})
    );
}

#[test]
fn default_resources_fit_a_node_of_the_machines_size_and_gpu_jobs_go_to_gpu_nodes() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/everything.yaml"),
    )
    .unwrap();
    let template = |settings: &Settings, name: &str| {
        let (_, ex) = export_text("everything", &text, settings);
        let doc = gwk_argo::to_value(&ex.workflow);
        doc["spec"]["templates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()
            .clone()
    };
    // Train is an A100x2 (24 vCPU, 180 GB, 2 GPUs in the catalog).
    let train = template(&Settings::default(), "train");
    assert_eq!(
        train["container"]["resources"],
        serde_json::json!({
            "requests": {"cpu": "18", "memory": "135Gi", "nvidia.com/gpu": "2"},
            "limits": {"cpu": "24", "memory": "180Gi", "nvidia.com/gpu": "2"},
        })
    );
    assert_eq!(
        train["nodeSelector"],
        serde_json::json!({"nvidia.com/gpu.present": "true"})
    );
    // A CPU job (C5: 4 vCPU, 8 GB) gets no node selector.
    let prep = template(&Settings::default(), "prepare");
    assert_eq!(
        prep["container"]["resources"],
        serde_json::json!({
            "requests": {"cpu": "3", "memory": "6Gi"},
            "limits": {"cpu": "4", "memory": "8Gi"},
        })
    );
    assert!(prep.get("nodeSelector").is_none(), "{prep}");

    // The fraction and the GPU label are settings.
    let table: toml::Table = toml::from_str(
        "request-fraction = 0.9\n[gpu-node-selector]\n\"cloud.google.com/gke-accelerator\" = \"nvidia-tesla-a100\"\n",
    )
    .unwrap();
    let train = template(&Settings::from_table(&table).unwrap(), "train");
    assert_eq!(train["container"]["resources"]["requests"]["cpu"], "21600m");
    assert_eq!(
        train["container"]["resources"]["requests"]["memory"],
        "162Gi"
    );
    assert_eq!(
        train["nodeSelector"],
        serde_json::json!({"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"})
    );
    let table: toml::Table = toml::from_str("[gpu-node-selector]").unwrap();
    let train = template(&Settings::from_table(&table).unwrap(), "train");
    assert!(train.get("nodeSelector").is_none(), "{train}");
}

#[test]
fn names_are_sanitized_unique_and_traceable() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/names.yaml"),
    )
    .unwrap();
    let (plan, ex) = export_text("names", &text, &Settings::default());
    assert_eq!(problems(&plan, &ex), Vec::<String>::new());
    let pairs: Vec<(String, String)> = ex.workflow.spec.templates[1..]
        .iter()
        .map(|t| {
            (
                t.metadata.as_ref().unwrap().annotations[gwk_argo::JOB_ANNOTATION].clone(),
                t.name.clone(),
            )
        })
        .collect();
    let get = |job: &str| pairs.iter().find(|(j, _)| j == job).unwrap().1.clone();
    assert_eq!(get("main"), "main-2", "the entrypoint keeps `main`");
    assert_eq!(get("cloneStyleGAN2Repo"), "clone-style-gan2-repo");
    let ones = [get("job_1"), get("job-1"), get("Job-1")];
    assert!(ones.contains(&"job-1".to_string()), "{ones:?}");
    assert!(ones.contains(&"job-1-2".to_string()), "{ones:?}");
    assert!(ones.contains(&"job-1-3".to_string()), "{ones:?}");
}

#[test]
fn generate_name_comes_from_the_file_name() {
    assert_eq!(gwk_argo::generate_name("stylegan2"), "stylegan2-");
    assert_eq!(gwk_argo::generate_name("My Workflow_v2"), "my-workflow-v2-");
    assert_eq!(gwk_argo::generate_name(""), "workflow-");
    let long = gwk_argo::generate_name(&"x".repeat(100));
    assert_eq!(long.len(), 58);
}

/// Exports `text` after `edit` changed its plan; returns the refusal.
fn refusal(text: &str, edit: impl FnOnce(&mut gwk_spec::plan::Plan)) -> ExportError {
    let mut plan = plan_text("refused", text, &Config::default());
    edit(&mut plan);
    export(&plan, &Source::default(), &Settings::default()).expect_err("a refusal")
}

#[test]
fn what_cannot_be_exported_is_refused_naming_the_job() {
    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  Hello:\n    uses: container@v1\n    with:\n      image: bash:5\n    env:\n      TOKEN: secret:ephemeral:abc123\n";
    let e = refusal(text, |_| {});
    let msg = e.to_string();
    assert!(msg.starts_with("job `Hello`:"), "{msg}");
    assert!(msg.contains("ephemeral"), "{msg}");

    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  Hello:\n    uses: container@v1\n    with:\n      image: bash:5\n    outputs:\n      out:\n        type: string\n  Next:\n    needs: [Hello]\n    inputs:\n      got: Hello.outputs.out\n    uses: container@v1\n    with:\n      image: bash:5\n";
    let e = refusal(text, |p| {
        let next = p.jobs.iter_mut().find(|j| j.name == "Next").unwrap();
        next.mounts[0].source = MountSource::Unresolved {
            reason: "no such job".into(),
        };
    });
    assert_eq!(
        e.to_string(),
        "job `Next`: input `got` cannot be exported: no such job"
    );
    let e = refusal(text, |p| {
        p.jobs[0].action = "deploy@v1".into();
    });
    assert!(e.to_string().contains("`uses: deploy@v1`"), "{e}");
    let e = refusal(text, |p| {
        let next = p.jobs.iter_mut().find(|j| j.name == "Next").unwrap();
        next.env.push(gwk_spec::plan::EnvVar {
            name: "K".into(),
            value: Value::Secret("bad/name".into()),
            from: gwk_spec::plan::EnvOrigin::Job,
        });
    });
    assert!(
        e.to_string()
            .starts_with("job `Next`: `K` reads `secret:bad/name`"),
        "{e}"
    );
}

#[test]
fn create_model_without_a_model_input_is_refused() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/everything.yaml"),
    )
    .unwrap();
    let e = refusal(&text, |p| {
        let reg = p.jobs.iter_mut().find(|j| j.name == "Register").unwrap();
        reg.mounts.retain(|m| m.target != "/inputs/model");
    });
    assert!(
        e.to_string()
            .starts_with("job `Register`: create-model@v1 needs an input named `model`"),
        "{e}"
    );
}

#[test]
fn notes_say_what_must_be_given_at_submit_time() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/everything.yaml"),
    )
    .unwrap();
    let (_, ex) = export_text("everything", &text, &Settings::default());
    let notes = ex.notes.join("\n");
    assert!(notes.contains("`run-label` has no value"), "{notes}");
    assert!(notes.contains("-p github-url="), "{notes}");
    assert!(notes.contains("-p github-ref="), "{notes}");

    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  Render:\n    uses: container@v1\n    with:\n      image: bash:5\n      args: [bash, -c, \"echo '{{ name }}' | jinja\"]\n";
    let (_, ex) = export_text("jinja", text, &Settings::default());
    assert!(
        ex.notes
            .iter()
            .any(|n| n.contains("job `Render`") && n.contains("`{{`")),
        "{:?}",
        ex.notes
    );
}

#[test]
fn the_argo_table_in_the_docs_is_read_as_written() {
    let doc = std::fs::read_to_string(repo_dir().join("docs/argo.md")).unwrap();
    let section = doc
        .split_once("## gwk.toml `[argo]`")
        .expect("docs/argo.md has the [argo] section")
        .1;
    let block = section
        .split_once("```toml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the section has a toml block")
        .0;
    let table: toml::Table = toml::from_str(block).unwrap();
    let settings = Settings::from_table(table["argo"].as_table().unwrap())
        .unwrap_or_else(|e| panic!("docs/argo.md's [argo] table: {e}"));
    // Each default the example spells out is the default.
    let defaults = Settings::default();
    assert_eq!(settings.request_fraction, defaults.request_fraction);
    assert_eq!(settings.gpu_node_selector, defaults.gpu_node_selector);
    assert_eq!(settings.secret_name, defaults.secret_name);
    assert_eq!(settings.volume_size, defaults.volume_size);
}

/// `ref: my-out:gold` on an output: the new version is also written under
/// its tag, where a later input `my-out:gold` reads it.
#[test]
fn a_tagged_dataset_output_is_written_under_its_tag() {
    let text = "defaults:
  resources:
    instance-type: C5
jobs:
  train:
    uses: container@v1
    with:
      image: bash:5
      args: [touch, /outputs/model/w]
    outputs:
      model:
        type: dataset
        with:
          ref: my-out:gold
";
    let (plan, ex) = export_text("tagged", text, &Settings::default());
    assert_no_problems(&[("tagged".into(), problems(&plan, &ex))]);
    let yaml = to_yaml(&ex.workflow);
    for key in [
        "key: datasets/my-out/{{workflow.uid}}",
        "key: datasets/my-out/latest",
        "key: datasets/my-out/gold",
    ] {
        assert!(yaml.contains(key), "no `{key}` in\n{yaml}");
    }
    // Without a tag, no third key.
    let (_, ex) = export_text("untagged", &text.replace(":gold", ""), &Settings::default());
    assert!(!to_yaml(&ex.workflow).contains("datasets/my-out/gold"));
}
