//! The real-world corpus in ../shared/corpus gets the verdict its
//! SOURCES.md gives each file, and the specific mistake each entry names is
//! reported with the right code. The corpus is read where it lies; when it
//! is absent (a fresh clone without ../shared) the test says so and passes.

use gwk_spec::{Code, Config, Severity, analyze_bytes};
use gwk_test_support::corpus::Verdict;
use std::collections::HashMap;
use std::path::PathBuf;

/// File name → verdict, by the one reader of SOURCES.md.
fn verdicts() -> Option<HashMap<String, Verdict>> {
    let entries = gwk_test_support::corpus::entries()?;
    Some(entries.into_iter().map(|e| (e.name, e.verdict)).collect())
}

/// The specific mistakes SOURCES.md names, as the codes that report them.
const EXPECTED: &[(&str, &[Code])] = &[
    (
        "BillTheTsar__Shuttle-Detection-Model__.gradient__workflow.yaml",
        &[Code::DuplicateKey, Code::UnknownKey, Code::MissingKey],
    ),
    (
        "GhaidaAlAtoum__test_gradient_workflow__.gradient__workflows__workflow__at-8c02fa95.yaml",
        &[Code::UnknownKey, Code::SecretSyntax],
    ),
    (
        "IvanMishchenko__generate-logo-workflow__.gradient__workflows__workflow__at-8799283e.yaml",
        &[Code::UnknownKey, Code::IoType],
    ),
    (
        "IvanMishchenko__generate-logo-workflow__.gradient__workflows__workflow__at-a4314675.yaml",
        &[Code::IoType],
    ),
    (
        "Lisibonny__workflow-obtener-articulos__.gradient__workflows__workflow.yaml",
        &[
            Code::UnknownKey,
            Code::MissingKey,
            Code::InvalidValue,
            Code::Deprecated,
        ],
    ),
    (
        "chymchym1905__auto-time-workflow__.gradient__workflows__workflow.yaml",
        &[Code::InvalidReference],
    ),
    (
        "AmeerArsala__CSC-587__.gradient__workflows__workflow__at-2543d78e.yaml",
        &[Code::MissingKey],
    ),
    (
        "AmeerArsala__CSC-587__.gradient__workflows__workflow__at-6ea890ea.yaml",
        &[Code::InvalidReference, Code::UnknownKey, Code::MissingKey],
    ),
    (
        "elianderlohr__kniffel__.gradient__workflows__workflow__at-be4f1f7d.yaml",
        &[Code::InvalidValue],
    ),
    (
        "hiydavid__numerai-models__.gradient__workflows__workflow__at-864ad235.yaml",
        &[Code::UnknownKey],
    ),
    (
        "hiydavid__numerai-models__.gradient__workflows__workflow__at-2a3cdcf6.yaml",
        &[Code::UnknownKey],
    ),
    (
        "huanzhao595__Gaussian_Shading_ECC__.gradient__workflows__workflow__at-e4c8bf72.yaml",
        &[Code::UnknownKey],
    ),
    (
        "KamronF9__GradientTest__.gradient__workflows__workflow__at-47f85619.yaml",
        &[Code::UnknownKey],
    ),
    (
        "dkobran__object-detection-segmentation-own__.gradient__workflows__detectron.yaml",
        &[Code::IoType, Code::ActionIo, Code::Deprecated],
    ),
    (
        "brownavi__trading-bot__.gradient__workflows__workflow__at-dd665c12.yaml",
        &[Code::MissingKey, Code::UnknownKey],
    ),
    (
        "VladiVex__visual_clues__.gradient__workflows__sprint4__at-e86e7b54.yaml",
        &[Code::MissingKey],
    ),
    (
        "Siguiente-mx__language-models__.gradient__workflows__nlp-text-generation__at-ce2e3384.yaml",
        &[Code::MissingKey, Code::UnknownKey],
    ),
    (
        "sonicpierre__Yolo_pipeline__.gradient__workflows__nlp-text-generation__at-20220323.yaml",
        // "Volume output never written": whether a command writes an output
        // cannot be told from the file (the script runs a Python program that
        // might), so no rule claims it; the output is also read by no job,
        // and that `unused-output` reports.
        &[Code::UnknownKey, Code::UnusedOutput],
    ),
    (
        "sonicpierre__Yolo_pipeline__.gradient__workflows__nlp-text-generation__at-18a8933b.yaml",
        &[Code::MissingKey, Code::UnknownKey],
    ),
    (
        "jnmarti__gradient-demo__.gradient__workflows__nlp-text-generation__at-3f14ee3c.yaml",
        &[Code::UnknownKey, Code::InvalidType],
    ),
    (
        "dhanushDM99__wf5__.gradient__workflows__workflow.yml",
        &[Code::UnknownKey, Code::MissingKey],
    ),
    (
        "GndzGzr__VisualAssistantDeployement-Cloud__.gradient__workflows__workflow.yaml",
        &[Code::MissingKey, Code::UnknownKey],
    ),
    (
        "Justa367__Badminton_video_analysis_v2__.gradient__workflows__workflow__at-998c701c.yaml",
        &[Code::UnknownKey, Code::InvalidValue],
    ),
    (
        "d8oss__StyleGan2-ADA__.gradient__workflows__workflow.yaml",
        &[Code::YamlSyntax],
    ),
    (
        "brownavi__trading-bot__.gradient__workflows__workflow.yaml",
        &[Code::YamlSyntax],
    ),
    (
        "cedspam__imgen__.gradient__workflows__guided_diffusion.yaml",
        &[Code::YamlSyntax],
    ),
    (
        "Bangkeras__Adoro__.gradient__workflows__workflow.yaml",
        &[Code::YamlSyntax],
    ),
    (
        "IvanMishchenko__generate-logo-workflow__.gradient__workflows__workflow.yaml",
        &[Code::FoldedScript],
    ),
    (
        "BillTheTsar__Shuttle-Detection-Model__.gradient__workflows__workflow__at-38f3b03e.yaml",
        &[Code::UnknownInstanceType],
    ),
    (
        "GhaidaAlAtoum__test_gradient_workflow__.gradient__workflows__workflow.yaml",
        &[Code::DatasetConflict],
    ),
    (
        "energydrink9__gigmate__.gradient__workflows__training.yaml",
        &[Code::IgnoredParam],
    ),
    (
        "Paperspace__Docs__explore-train-deploy__workflows__workflow-spec.md__block1.yaml",
        &[Code::Deprecated],
    ),
    (
        "gradient-ai__mnist-sample__mnist-sample.yaml",
        &[Code::RetiredInstanceType],
    ),
];

#[test]
fn corpus_files_get_their_verdicts() {
    let (Some(dir), Some(verdicts)) = (gwk_test_support::corpus::dir(), verdicts()) else {
        gwk_test_support::skipped("the corpus verdicts were not checked", "../shared/corpus");
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(&verdict) = verdicts.get(&name) else {
            failures.push(format!("{name}: not listed in SOURCES.md"));
            continue;
        };
        let a = analyze_bytes(&std::fs::read(&path).unwrap(), &Config::default());
        let errors = a
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = a
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        let summary = || {
            a.diagnostics
                .iter()
                .map(|d| format!("  {} {}", d.code, d.message))
                .collect::<Vec<_>>()
                .join("\n")
        };
        match verdict {
            Verdict::Valid if errors > 0 => failures.push(format!(
                "{name}: looks valid, but got errors:\n{}",
                summary()
            )),
            Verdict::Invalid if errors == 0 => {
                failures.push(format!("{name}: invalid, but got no error:\n{}", summary()))
            }
            Verdict::Warned if warnings == 0 => failures.push(format!(
                "{name}: broken, but got no warning:\n{}",
                summary()
            )),
            _ => {}
        }
        if let Some((_, codes)) = EXPECTED.iter().find(|(n, _)| *n == name) {
            for code in *codes {
                if !a.diagnostics.iter().any(|d| d.code == *code) {
                    failures.push(format!(
                        "{name}: expected a `{code}` finding:\n{}",
                        summary()
                    ));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 70, "only {checked} corpus files found");
    for (name, _) in EXPECTED {
        assert!(verdicts.contains_key(*name), "{name} is not in SOURCES.md");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
