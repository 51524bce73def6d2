//! Never outlive the editor: exit when the process that started the server
//! (initialize's `processId`) is gone, even if it never said `exit`.

use std::time::Duration;

/// How often the editor's process is looked for.
const EVERY: Duration = Duration::from_secs(1);

pub fn watch_parent(pid: u32) {
    if !alive(pid) {
        // A processId we cannot see (another PID namespace, a remote
        // editor): watching it would only kill a healthy server.
        eprintln!("gwk-lsp: editor process {pid} is not visible from here; not watching it");
        return;
    }
    std::thread::Builder::new()
        .name("gwk-parent".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EVERY);
                if !alive(pid) {
                    eprintln!("gwk-lsp: editor process {pid} is gone; exiting");
                    std::process::exit(1);
                }
            }
        })
        .expect("the watcher thread starts");
}

#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid_t) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // Signal 0 checks for the process without touching it; EPERM means it
    // exists but belongs to someone else.
    // SAFETY: kill with signal 0 sends nothing; it only checks the pid.
    let r = unsafe { libc::kill(pid_t, 0) };
    let exists = r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && !zombie(pid)
}

/// A process that has exited but was not reaped yet is gone for us.
#[cfg(unix)]
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The state follows the command name, which is in parentheses.
            let after = s.rsplit_once(')')?.1;
            after.split_whitespace().next().map(|state| state == "Z")
        })
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    // No portable check without more dependencies: assume alive (the
    // server still exits on `exit` or when stdin closes).
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_itself_and_not_a_finished_child() {
        assert!(alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!alive(pid));
    }
}
