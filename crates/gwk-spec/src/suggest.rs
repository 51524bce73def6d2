//! Ranked "did you mean": the candidates close enough to a typo, best first.
//!
//! Closeness is, in order: a difference of case only; a known synonym
//! (`environment` → `env`); a small edit distance (with transpositions, so
//! `git-checkuot` is one edit from `git-checkout`); a shared prefix of at
//! least three characters. Ties go to the more similar spelling.

/// Words users write for a Gradient key, by the key they mean.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "env",
        &[
            "environment",
            "environments",
            "envs",
            "environment_variables",
            "environment-variables",
            "variables",
            "vars",
        ],
    ),
    (
        "needs",
        &[
            "depends_on",
            "depends-on",
            "dependson",
            "dependencies",
            "depends",
            "requires",
            "after",
        ],
    ),
    ("uses", &["use", "action", "run", "runs"]),
    (
        "with",
        &["params", "parameters", "inputs_params", "options"],
    ),
    (
        "resources",
        &[
            "machine",
            "instance",
            "machine-type",
            "machinetype",
            "compute",
        ],
    ),
    (
        "instance-type",
        &[
            "instance_type",
            "instancetype",
            "machine",
            "machine-type",
            "machine_type",
            "type",
        ],
    ),
    (
        "timeout",
        &["timeout-minutes", "timeout_minutes", "time-limit"],
    ),
    ("ref", &["branch", "tag", "commit", "revision"]),
    ("script", &["run", "commands", "command", "cmd"]),
    ("args", &["arguments", "argv"]),
    ("command", &["entrypoint", "cmd"]),
];

/// The candidates that are plausible corrections of `word`, best first.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut scored: Vec<(u32, f64, &str)> = candidates
        .into_iter()
        .filter(|c| *c != word)
        .filter_map(|c| {
            score(&lower, c).map(|s| (s, strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)));
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().map(|(_, _, c)| c).collect()
}

/// The best correction of `word`, if any is close enough.
pub fn best<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    suggest(word, candidates).into_iter().next()
}

/// Lower is better; `None` when `candidate` is too far from `word`.
fn score(word: &str, candidate: &str) -> Option<u32> {
    let cand = candidate.to_lowercase();
    if cand == word {
        return Some(0);
    }
    if SYNONYMS
        .iter()
        .any(|(key, words)| *key == candidate && words.contains(&word))
    {
        return Some(1);
    }
    let d = strsim::damerau_levenshtein(word, &cand);
    let shortest = word.chars().count().min(cand.chars().count());
    let allowed = (shortest / 3).max(1);
    if d <= allowed {
        return Some(2 + d as u32);
    }
    let shared = word
        .chars()
        .zip(cand.chars())
        .take_while(|(a, b)| a == b)
        .count();
    if shared >= 3 && shared == shortest {
        return Some(20);
    }
    None
}

/// "`a`, `b` or `c`" for messages.
pub fn one_of(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB_KEYS: &[&str] = &[
        "uses",
        "with",
        "needs",
        "inputs",
        "outputs",
        "env",
        "resources",
        "timeout",
    ];

    #[test]
    fn ranks_typos_synonyms_and_prefixes() {
        assert_eq!(best("need", JOB_KEYS.iter().copied()), Some("needs"));
        assert_eq!(best("enviroment", JOB_KEYS.iter().copied()), Some("env"));
        assert_eq!(best("environment", JOB_KEYS.iter().copied()), Some("env"));
        assert_eq!(best("output", JOB_KEYS.iter().copied()), Some("outputs"));
        assert_eq!(best("depends_on", JOB_KEYS.iter().copied()), Some("needs"));
        assert_eq!(best("zzz", JOB_KEYS.iter().copied()), None);
        assert_eq!(
            best("git-checkuot@v1", ["container@v1", "git-checkout@v1"]),
            Some("git-checkout@v1")
        );
        assert_eq!(
            best("container@v2", ["container@v1", "script@v1"]),
            Some("container@v1")
        );
        assert_eq!(best("cloneRepo", ["CloneRepo", "Train"]), Some("CloneRepo"));
        assert_eq!(best("A4000-8C", ["A4000", "A4000x2", "C4"]), Some("A4000"));
    }

    #[test]
    fn one_of_lists_naturally() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
