//! Process liveness, for locks that hold a pid.

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

#[cfg(test)]
mod tests {
    #[test]
    fn own_pid_is_alive_and_absurd_one_is_not() {
        assert!(super::alive(std::process::id() as i32));
        assert!(!super::alive(999_999_999));
        assert!(!super::alive(0));
    }
}
