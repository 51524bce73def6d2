//! `git-checkout@v1` with the host's `git`. Credentials never touch the
//! disk in clear nor the command line: git asks for them through
//! `GIT_ASKPASS`, a small script that prints an environment variable of
//! the git process. Credentials written in the URL
//! (`https://user:token@host/…`) are taken out of it the same way, so the
//! clone's `.git/config` (in the job's output) never holds them.

use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The askpass helper: git runs it with the prompt as `$1`.
const ASKPASS: &str = "#!/bin/sh\ncase \"$1\" in\n  Username*) printf '%s\\n' \"$GWK_GIT_USERNAME\" ;;\n  *) printf '%s\\n' \"$GWK_GIT_PASSWORD\" ;;\nesac\n";

pub struct Checkout<'a> {
    pub url: &'a str,
    pub git_ref: Option<&'a str>,
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
    /// An empty directory to clone into.
    pub dest: &'a Path,
    /// Where the helper script may be written (the job's directory).
    pub scratch: &'a Path,
}

/// Why a checkout failed (the message is shown to the user as is).
#[derive(Debug)]
pub struct CheckoutError(pub String);

/// Clones `url` into `dest` and checks out `git_ref`. Every line git
/// prints goes to `log`.
pub async fn checkout(
    c: &Checkout<'_>,
    log: &(dyn Fn(&str) + Send + Sync),
) -> Result<(), CheckoutError> {
    // The ref reaches `git checkout` and `git fetch origin REF`, where one
    // that starts with `-` is an option (`--upload-pack=CMD` runs CMD). No
    // branch, tag or commit starts with `-` (git check-ref-format).
    if let Some(r) = c.git_ref.filter(|r| r.starts_with('-')) {
        return Err(CheckoutError(format!(
            "git: `{r}` is not a ref (a branch, tag or commit never starts with `-`)"
        )));
    }
    let (url, url_user, url_password) = split_credentials(c.url);
    // The workflow's `username`/`password` win over the URL's.
    let username = c.username.map(str::to_string).or(url_user);
    let password = c.password.map(str::to_string).or(url_password);
    let c = &Checkout {
        url: &url,
        username: username.as_deref(),
        password: password.as_deref(),
        ..*c
    };
    let askpass = c.scratch.join("git-askpass.sh");
    let with_creds = c.username.is_some() || c.password.is_some();
    if with_creds {
        write_askpass(&askpass)
            .map_err(|e| CheckoutError(format!("cannot write {}: {e}", askpass.display())))?;
    }
    let run = |args: Vec<String>| {
        let mut cmd = Command::new("git");
        cmd.args(&args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if with_creds {
            cmd.env("GIT_ASKPASS", &askpass)
                .env("GWK_GIT_USERNAME", c.username.unwrap_or(""))
                .env("GWK_GIT_PASSWORD", c.password.unwrap_or(""));
        }
        cmd
    };
    // `-c credential.helper=` keeps a stored helper from answering with
    // other credentials than the workflow's.
    let mut clone: Vec<String> = Vec::new();
    if with_creds {
        clone.extend(["-c".into(), "credential.helper=".into()]);
    }
    clone.extend(["clone".into(), "--no-checkout".into(), "--progress".into()]);
    clone.extend(["--".into(), c.url.into(), c.dest.display().to_string()]);
    let result = async {
        run_logged(run(clone), log).await?;
        let target = c.git_ref.unwrap_or("HEAD");
        let mut co: Vec<String> = vec!["-C".into(), c.dest.display().to_string()];
        co.extend([
            "checkout".into(),
            "--quiet".into(),
            target.into(),
            "--".into(),
        ]);
        if run_logged(run(co), log).await.is_err() {
            // A ref that is not a branch, tag or commit of the clone (a
            // pull request head, say): fetch it by name, then check out.
            let mut fetch: Vec<String> = vec!["-C".into(), c.dest.display().to_string()];
            if with_creds {
                fetch.extend(["-c".into(), "credential.helper=".into()]);
            }
            fetch.extend([
                "fetch".into(),
                "--quiet".into(),
                "origin".into(),
                target.into(),
            ]);
            run_logged(run(fetch), log).await?;
            let mut co: Vec<String> = vec!["-C".into(), c.dest.display().to_string()];
            co.extend([
                "checkout".into(),
                "--quiet".into(),
                "FETCH_HEAD".into(),
                "--".into(),
            ]);
            run_logged(run(co), log)
                .await
                .map_err(|_| CheckoutError(format!("git: no ref `{target}` in {}", c.url)))?;
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_file(&askpass);
    result
}

/// `url` without the `user:password@` of its authority, and those two
/// (percent-decoded). Other URLs (scp-like `git@host:repo`, paths) are
/// returned as they are.
pub fn split_credentials(url: &str) -> (String, Option<String>, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None, None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None, None);
    };
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    let clean = format!("{scheme}://{host}{path}");
    let user = (!user.is_empty()).then(|| percent_decode(user));
    (clean, user, password.map(percent_decode))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn write_askpass(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, ASKPASS)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
}

async fn run_logged(
    mut cmd: Command,
    log: &(dyn Fn(&str) + Send + Sync),
) -> Result<(), CheckoutError> {
    let mut child = cmd.spawn().map_err(|e| {
        CheckoutError(if e.kind() == std::io::ErrorKind::NotFound {
            "git-checkout@v1 needs `git` on this host's PATH; install git".into()
        } else {
            format!("cannot run git: {e}")
        })
    })?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let mut out = BufReader::new(stdout).lines();
    // git writes progress with \r; split on both.
    let mut err = BufReader::new(stderr).split(b'\n');
    let mut last_err = String::new();
    let (mut out_done, mut err_done) = (false, false);
    while !(out_done && err_done) {
        tokio::select! {
            line = out.next_line(), if !out_done => match line {
                Ok(Some(l)) => log(&l),
                _ => out_done = true,
            },
            chunk = err.next_segment(), if !err_done => match chunk {
                Ok(Some(bytes)) => {
                    let text = String::from_utf8_lossy(&bytes).to_string();
                    // Keep only the final state of a progress line.
                    let l = text.rsplit('\r').find(|s| !s.trim().is_empty()).unwrap_or("").trim_end().to_string();
                    if !l.is_empty() {
                        log(&l);
                        last_err = l;
                    }
                }
                _ => err_done = true,
            },
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|e| CheckoutError(format!("git did not finish: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(CheckoutError(if last_err.is_empty() {
            format!("git failed ({status})")
        } else {
            format!("git failed: {last_err}")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ref_that_is_an_option_never_reaches_git() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let git_ref = format!("--upload-pack=touch {}", marker.display());
        let dest = dir.path().join("clone");
        let c = Checkout {
            url: "/nonexistent/repo",
            git_ref: Some(&git_ref),
            username: None,
            password: None,
            dest: &dest,
            scratch: dir.path(),
        };
        let logged = std::sync::Mutex::new(Vec::<String>::new());
        let err = checkout(&c, &|l| logged.lock().unwrap().push(l.to_string()))
            .await
            .unwrap_err();
        assert!(err.0.contains("is not a ref"), "{}", err.0);
        assert!(logged.lock().unwrap().is_empty(), "git ran");
        assert!(!marker.exists() && !dest.exists());
    }

    #[test]
    fn credentials_come_out_of_the_url() {
        let s = |u: &str| split_credentials(u);
        assert_eq!(
            s("https://bob:gh%40t0ken@github.com/o/r.git"),
            (
                "https://github.com/o/r.git".into(),
                Some("bob".into()),
                Some("gh@t0ken".into())
            )
        );
        assert_eq!(
            s("https://x-access-token@example.com:8443/r?a@b"),
            (
                "https://example.com:8443/r?a@b".into(),
                Some("x-access-token".into()),
                None
            )
        );
        assert_eq!(
            s("https://github.com/o/r.git"),
            ("https://github.com/o/r.git".into(), None, None)
        );
        assert_eq!(
            s("git@github.com:o/r.git"),
            ("git@github.com:o/r.git".into(), None, None)
        );
        assert_eq!(
            s("https://:tok@h/r"),
            ("https://h/r".into(), None, Some("tok".into()))
        );
    }
}
