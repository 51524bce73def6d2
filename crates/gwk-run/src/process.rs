//! Process liveness, for locks that hold a pid.
//!
//! A pid alone can be reused by an unrelated process once its owner dies,
//! which would keep a dead run "alive" forever. So a lock also records the
//! process's start time (`/proc/<pid>/stat`, field 22, in clock ticks
//! since boot): the owner is alive only while a process with that pid and
//! that start time exists.

/// Whether a process with this pid exists (signal 0 probes without
/// sending anything).
pub fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// When the process started, in clock ticks since boot; `None` when it
/// does not exist or `/proc` cannot tell (not Linux).
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_time(&stat)
}

/// Field 22 of a `/proc/<pid>/stat` line. The command name (field 2) is
/// in parentheses and may itself hold spaces and parentheses, so fields
/// are counted after its last `)`.
fn parse_start_time(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    // `after` starts with field 3 (the state).
    after.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// The process holding a lock: its pid and, when known, its start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    pub pid: i32,
    pub start: Option<u64>,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        let pid = std::process::id() as i32;
        Owner {
            pid,
            start: start_time(pid),
        }
    }

    /// `<pid> <start time>`, or `<pid>` alone (locks of older gwk
    /// versions, or no `/proc`).
    pub fn parse(text: &str) -> Option<Owner> {
        let mut words = text.split_whitespace();
        let pid = words.next()?.parse().ok()?;
        let start = match words.next() {
            Some(w) => Some(w.parse().ok()?),
            None => None,
        };
        Some(Owner { pid, start })
    }

    /// The lock file's line.
    pub fn to_line(self) -> String {
        match self.start {
            Some(s) => format!("{} {s}\n", self.pid),
            None => format!("{}\n", self.pid),
        }
    }

    /// A process with this pid exists and, when the start time is known
    /// on both sides, started when the lock says (not a reused pid).
    pub fn alive(self) -> bool {
        if !alive(self.pid) {
            return false;
        }
        match (self.start, start_time(self.pid)) {
            (Some(recorded), Some(now)) => recorded == now,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_pid_is_alive_and_absurd_one_is_not() {
        assert!(super::alive(std::process::id() as i32));
        assert!(!super::alive(999_999_999));
        assert!(!super::alive(0));
    }

    #[test]
    fn start_time_is_field_22_even_with_odd_command_names() {
        let stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 123456 100";
        assert_eq!(parse_start_time(stat), Some(987654));
        assert_eq!(parse_start_time("4242 (x) S 1 2"), None);
        assert_eq!(parse_start_time("garbage"), None);
    }

    #[test]
    fn a_reused_pid_is_not_the_owner() {
        let me = Owner::current();
        assert!(me.start.is_some(), "this test runs on Linux");
        assert!(me.alive());
        assert_eq!(Owner::parse(&me.to_line()), Some(me));
        // The same pid with another start time: the pid was reused.
        let reused = Owner {
            start: me.start.map(|s| s + 1),
            ..me
        };
        assert!(!reused.alive());
        // A lock of an older gwk holds the pid alone.
        assert_eq!(
            Owner::parse(&format!("{}\n", me.pid)),
            Some(Owner {
                pid: me.pid,
                start: None
            })
        );
        assert!(Owner::parse(&format!("{}\n", me.pid)).unwrap().alive());
        assert!(!Owner::parse("999999999 5").unwrap().alive());
        assert_eq!(Owner::parse("12 x"), None);
        assert_eq!(Owner::parse(""), None);
    }
}
