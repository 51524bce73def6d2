//! A full check next to the YAML parser alone, on the same file, measured
//! side by side: the runs are interleaved (parser, tree, check, parser, ...)
//! so load from other processes hits all three alike, and the figures are
//! the minimum and the median of each. `scripts/bench-check.sh` generates the
//! inputs and runs this.
//!
//!   GWK_BENCH_FILE=w2000.yaml cargo bench -p gwk-spec --bench check

use gwk_spec::Config;
use gwk_spec::syntax::{LineIndex, parse};
use saphyr_parser::{Event, Parser};
use std::hint::black_box;
use std::time::{Duration, Instant};

// The allocator the gwk binary uses (gwk-lsp keeps glibc malloc, for its
// smaller peak RSS), so the figures are those of `gwk check`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The baseline: saphyr's parser, every event pulled, nothing built.
fn yaml_parser_alone(text: &str) -> usize {
    let mut p = Parser::new_from_str(text);
    let mut n = 0usize;
    while let Some(Ok((ev, _))) = p.next_event() {
        n += 1;
        if ev == Event::StreamEnd {
            break;
        }
    }
    n
}

/// gwk's spanned tree (parse + build).
fn spanned_tree(text: &str) -> usize {
    let index = LineIndex::new(text);
    usize::from(parse(text, &index).root.is_some())
}

/// The whole check: tree, shape, model, every rule.
fn full_check(text: &str) -> usize {
    gwk_spec::analyze(text, &Config::default())
        .diagnostics
        .len()
}

/// A measured function: the file's text in, something to keep out.
type Case = fn(&str) -> usize;

fn time(f: Case, text: &str) -> Duration {
    let start = Instant::now();
    black_box(f(black_box(text)));
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let path = std::env::var("GWK_BENCH_FILE")
        .expect("set GWK_BENCH_FILE to a workflow (scripts/bench-check.sh does)");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rounds: usize = std::env::var("GWK_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let cases: [(&str, Case); 3] = [
        ("yaml parser alone", yaml_parser_alone),
        ("spanned tree", spanned_tree),
        ("full check", full_check),
    ];
    // Warm up caches and the allocator.
    for (_, f) in cases {
        time(f, &text);
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (i, (_, f)) in cases.iter().enumerate() {
            samples[i].push(time(*f, &text));
        }
    }
    for s in &mut samples {
        s.sort();
    }
    let min = |i: usize| samples[i][0];
    let median = |i: usize| samples[i][samples[i].len() / 2];
    println!("{path}: {} bytes, {rounds} interleaved rounds", text.len());
    println!(
        "{:<20} {:>10} {:>10} {:>12} {:>12}",
        "", "min ms", "median ms", "min ratio", "median ratio"
    );
    for (i, (name, _)) in cases.iter().enumerate() {
        println!(
            "{name:<20} {:>10.2} {:>10.2} {:>11.2}x {:>11.2}x",
            ms(min(i)),
            ms(median(i)),
            ms(min(i)) / ms(min(0)),
            ms(median(i)) / ms(median(0)),
        );
    }
}
