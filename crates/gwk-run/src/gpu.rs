//! The host's GPUs as a pool: a job asking for k GPUs gets k device ids of
//! its own, and waits while too few are free.

/// What `--gpus` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GpuPolicy {
    /// Discover the host's GPUs (`nvidia-smi`); when that fails, give GPU
    /// jobs a GPU count and run them one at a time.
    #[default]
    Auto,
    /// Run GPU jobs without GPUs.
    None,
    /// These device ids (indexes or UUIDs).
    Devices(Vec<String>),
}

impl std::str::FromStr for GpuPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<GpuPolicy, String> {
        match s.trim() {
            "auto" => Ok(GpuPolicy::Auto),
            "none" => Ok(GpuPolicy::None),
            "" => Err("empty --gpus; use `auto`, `none` or device ids like `0,1`".into()),
            list => {
                let ids: Vec<String> = list.split(',').map(|d| d.trim().to_string()).collect();
                if ids
                    .iter()
                    .any(|d| d.is_empty() || d.contains(char::is_whitespace))
                {
                    return Err(format!(
                        "bad --gpus `{list}`; use `auto`, `none` or device ids like `0,1`"
                    ));
                }
                let mut seen = ids.clone();
                seen.sort();
                seen.dedup();
                if seen.len() != ids.len() {
                    return Err(format!("--gpus `{list}` names a device twice"));
                }
                Ok(GpuPolicy::Devices(ids))
            }
        }
    }
}

/// The GPU indexes `nvidia-smi` lists on this host; `None` when it is not
/// installed or fails.
pub fn discover() -> Option<Vec<String>> {
    let out = std::process::Command::new("nvidia-smi")
        .args(["--query-gpu=index", "--format=csv,noheader"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// What a GPU job gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// No GPU (the job asked for none, or `--gpus none`).
    Nothing,
    /// Any `n` GPUs: the device ids are unknown.
    Count(u32),
    Devices(Vec<String>),
}

#[derive(Debug)]
pub struct GpuPool {
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    Disabled,
    /// Unknown devices: one GPU job at a time.
    Serial {
        busy: bool,
    },
    Known {
        all: Vec<String>,
        free: Vec<String>,
    },
}

impl GpuPool {
    pub fn new(policy: &GpuPolicy) -> GpuPool {
        let mode = match policy {
            GpuPolicy::None => Mode::Disabled,
            GpuPolicy::Devices(ids) => Mode::Known {
                all: ids.clone(),
                free: ids.clone(),
            },
            GpuPolicy::Auto => match discover() {
                Some(ids) => Mode::Known {
                    all: ids.clone(),
                    free: ids,
                },
                None => Mode::Serial { busy: false },
            },
        };
        GpuPool { mode }
    }

    /// A pool of unknown devices (what `auto` gives without `nvidia-smi`).
    #[cfg(test)]
    pub(crate) fn serial() -> GpuPool {
        GpuPool {
            mode: Mode::Serial { busy: false },
        }
    }

    /// The number of GPUs known, when known.
    pub fn total(&self) -> Option<usize> {
        match &self.mode {
            Mode::Known { all, .. } => Some(all.len()),
            _ => None,
        }
    }

    pub fn disabled(&self) -> bool {
        matches!(self.mode, Mode::Disabled)
    }

    /// Takes `n` GPUs if they are free; `None` means wait.
    pub fn take(&mut self, n: u32) -> Option<Grant> {
        if n == 0 {
            return Some(Grant::Nothing);
        }
        match &mut self.mode {
            Mode::Disabled => Some(Grant::Nothing),
            Mode::Serial { busy } => {
                if *busy {
                    None
                } else {
                    *busy = true;
                    Some(Grant::Count(n))
                }
            }
            Mode::Known { free, .. } => {
                let n = n as usize;
                if free.len() < n {
                    return None;
                }
                Some(Grant::Devices(free.drain(..n).collect()))
            }
        }
    }

    pub fn give_back(&mut self, grant: &Grant) {
        match (&mut self.mode, grant) {
            (Mode::Serial { busy }, Grant::Count(_)) => *busy = false,
            (Mode::Known { all, free }, Grant::Devices(ids)) => {
                free.extend(ids.iter().cloned());
                // Keep the host's order, so grants are predictable.
                free.sort_by_key(|d| all.iter().position(|a| a == d));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies() {
        assert_eq!("none".parse::<GpuPolicy>(), Ok(GpuPolicy::None));
        assert_eq!(
            "0, 1,GPU-abc".parse::<GpuPolicy>(),
            Ok(GpuPolicy::Devices(vec![
                "0".into(),
                "1".into(),
                "GPU-abc".into()
            ]))
        );
        assert!("0,,1".parse::<GpuPolicy>().is_err());
        assert!("0,0".parse::<GpuPolicy>().is_err());
    }

    #[test]
    fn known_devices_are_never_shared_and_come_back() {
        let mut p = GpuPool::new(&GpuPolicy::Devices(vec![
            "0".into(),
            "1".into(),
            "2".into(),
        ]));
        let a = p.take(2).unwrap();
        assert_eq!(a, Grant::Devices(vec!["0".into(), "1".into()]));
        assert_eq!(p.take(2), None);
        let b = p.take(1).unwrap();
        assert_eq!(b, Grant::Devices(vec!["2".into()]));
        p.give_back(&a);
        assert_eq!(
            p.take(2),
            Some(Grant::Devices(vec!["0".into(), "1".into()]))
        );
        assert_eq!(p.take(0), Some(Grant::Nothing));
    }

    #[test]
    fn unknown_devices_run_one_gpu_job_at_a_time() {
        let mut p = GpuPool {
            mode: Mode::Serial { busy: false },
        };
        let g = p.take(2).unwrap();
        assert_eq!(g, Grant::Count(2));
        assert_eq!(p.take(1), None);
        p.give_back(&g);
        assert!(p.take(1).is_some());
        let mut none = GpuPool::new(&GpuPolicy::None);
        assert_eq!(none.take(4), Some(Grant::Nothing));
    }
}
