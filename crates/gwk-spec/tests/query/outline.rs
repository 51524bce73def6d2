use super::*;
use gwk_spec::query::{
    FoldKind, Symbol, SymbolKind, document_symbols, folding_ranges, inlay_hints,
};
use gwk_spec::syntax::Span;

fn tree(symbols: &[Symbol], depth: usize, out: &mut String) {
    for s in symbols {
        out.push_str(&format!(
            "{}{:?} {}{}\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ));
        tree(&s.children, depth + 1, out);
    }
}

#[test]
fn symbols_are_inputs_jobs_and_outputs() {
    let a = analyze(PIPELINE, &Config::default());
    let symbols = document_symbols(&a);
    let mut out = String::new();
    tree(&symbols, 0, &mut out);
    assert_eq!(
        out,
        "Section inputs\n  WorkflowInput raw-data (dataset)\n  WorkflowInput learning-rate (string)\n\
         Section jobs\n  Job CloneRepo (git-checkout@v1)\n    Output repo (volume)\n  Job Prepare (script@v1)\n    Output prepared (volume)\n\
         \x20 Job Train (container@v1)\n    Output model (dataset)\n"
    );
    let train = &symbols[1].children[2];
    assert_eq!(train.kind, SymbolKind::Job);
    assert_eq!(&a.text[train.selection.start..train.selection.end], "Train");
    assert!(a.text[train.span.start..train.span.end].ends_with("ref: my-model"));
}

#[test]
fn folds_blocks_scripts_and_comment_runs() {
    let text = "# one\n# two\njobs:\n  A:\n    uses: script@v1\n    with:\n      script: |-\n        a\n        b\n      image: x\n";
    let a = analyze(text, &Config::default());
    let folds: Vec<(u32, u32, FoldKind)> = folding_ranges(&a)
        .into_iter()
        .map(|f| (f.start_line, f.end_line, f.kind))
        .collect();
    assert_eq!(
        folds,
        [
            (0, 1, FoldKind::Comment),
            (2, 9, FoldKind::Region),
            (3, 9, FoldKind::Region),
            (5, 9, FoldKind::Region),
            (6, 8, FoldKind::Region),
        ]
    );
}

#[test]
fn inlay_hints_give_reference_types() {
    let a = analyze(PIPELINE, &Config::default());
    let hints: Vec<(String, String)> = inlay_hints(&a, Span::new(0, a.text.len()))
        .into_iter()
        .map(|h| {
            let line_end = a.text[h.offset..].find('\n').unwrap() + h.offset;
            (
                a.text[..h.offset].rsplit(' ').next().unwrap().to_string()
                    + &a.text[h.offset..line_end],
                h.label,
            )
        })
        .collect();
    assert_eq!(
        hints,
        [
            ("CloneRepo.outputs.repo".to_string(), ": volume".to_string()),
            ("workflow.inputs.raw-data".into(), ": dataset".into()),
            ("Prepare.outputs.prepared".into(), ": volume".into()),
            ("workflow.inputs.learning-rate".into(), ": string".into()),
        ]
    );
    // Only those in the range asked for.
    let start = a.text.find("  Train:").unwrap();
    assert_eq!(inlay_hints(&a, Span::new(start, a.text.len())).len(), 2);
}
