//! Identifiers: run ids, dataset version ids, container names.
//!
//! Ids start with the UTC time, so sorting them as bytes sorts them by age;
//! a random suffix keeps two made in the same millisecond apart.

use std::io::Read;

/// A few random bytes as hex, from the OS.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if !filled {
        // No /dev/urandom (an odd sandbox): time and pid still separate runs.
        let seed = jiff::Timestamp::now().as_nanosecond() as u64 ^ u64::from(std::process::id());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 8) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// `20261122-050833-123-a1b2c3`: the UTC time to the millisecond, then 3
/// random bytes.
pub fn time_id() -> String {
    let now = jiff::Timestamp::now();
    format!("{}-{}", now.strftime("%Y%m%d-%H%M%S-%3f"), random_hex(3))
}

/// A new run id.
pub fn run_id() -> String {
    time_id()
}

/// The one name rule for run ids, dataset names, versions and tags (the
/// project model owns it: the dataset store's listing applies it too).
pub use gwk_project::store::is_safe_name;

/// A Docker container name for a job of a run: `gwk-<run>-<job>`, the job
/// name reduced to the characters Docker accepts (`[a-zA-Z0-9_.-]`).
pub fn container_name(run_id: &str, job: &str) -> String {
    let job: String = job
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("gwk-{run_id}-{job}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_differ() {
        let a = time_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = time_id();
        assert!(a < b, "{a} < {b}");
        assert_eq!(a.len(), "20261122-050833-123-a1b2c3".len());
        assert!(is_safe_name(&a));
    }

    #[test]
    fn names_are_checked_and_sanitised() {
        for bad in ["", ".", "..", "a/b", "-x", ".hidden", "a b", "é"] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
        assert!(is_safe_name("mnist-v2_1.0"));
        assert_eq!(
            container_name("r1", "Train Model/x"),
            "gwk-r1-Train_Model_x"
        );
    }
}
