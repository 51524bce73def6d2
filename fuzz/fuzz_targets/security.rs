//! The security scanners on arbitrary script text: the bytes become the
//! body of a `script:` block, an `env` value and a container's `args`, so
//! every input reaches the token, URL and shell scanners (random bytes
//! given to the `check` target rarely form such a workflow). No input may
//! panic or hang, every span and mask lies on the text's character
//! boundaries, and no message repeats a masked credential.

#![no_main]

use gwk_spec::{Config, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
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
    for persona in ["regular", "pedantic"] {
        let config = Config::parse(&format!("persona = \"{persona}\"\n")).unwrap();
        let a = analyze(&text, &config);
        let len = a.text.len();
        for m in &a.masks {
            assert!(m.start <= m.end && m.end <= len, "{m:?}");
            assert!(a.text.is_char_boundary(m.start) && a.text.is_char_boundary(m.end));
        }
        for d in &a.diagnostics {
            assert!(d.span.start <= d.span.end && d.span.end <= len, "{d:?}");
            assert!(a.text.is_char_boundary(d.span.start) && a.text.is_char_boundary(d.span.end));
            for m in &a.masks {
                let hidden = &a.text[m.start..m.end];
                if hidden.len() >= 4 {
                    assert!(!d.message.contains(hidden), "{d:?} repeats {hidden:?}");
                }
            }
        }
    }
});
