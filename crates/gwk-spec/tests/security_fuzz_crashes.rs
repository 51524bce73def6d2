//! Inputs the `security` fuzz target (fuzz/fuzz_targets/security.rs) found,
//! wrapped the way it wraps them: every finding's span must lie on the
//! text's character boundaries.

use gwk_spec::{Config, analyze};

fn wrapped(body: &str) -> String {
    let first = body.lines().next().unwrap_or("");
    let mut text = String::from(
        "defaults:\n  resources:\n    instance-type: C5\n  env:\n    HF_TOKEN: secret:hf\njobs:\n  a:\n    uses: script@v1\n    env:\n      API_KEY: ",
    );
    text.push_str(&format!("{first:?}\n"));
    text.push_str("    with:\n      image: bash:5\n      script: |-\n");
    for line in body.lines() {
        text.push_str("        ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("  b:\n    uses: container@v1\n    with:\n      image: bash:5\n      args: [");
    text.push_str(&format!("{first:?}, {body:?}]\n"));
    text
}

// The crash of 2026-12-03 (docs/testing.md): a `yaml-syntax` finding
// whose span started inside a character.
#[test]
fn spans_lie_on_character_boundaries() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/crashes");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let Ok(body) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let text = wrapped(body);
        for persona in ["regular", "pedantic"] {
            let config = Config::parse(&format!("persona = \"{persona}\"\n")).unwrap();
            let a = analyze(&text, &config);
            for d in &a.diagnostics {
                assert!(
                    a.text.is_char_boundary(d.span.start) && a.text.is_char_boundary(d.span.end),
                    "{}: {:?} {:?}",
                    path.display(),
                    d.code,
                    d.span
                );
            }
        }
    }
}
