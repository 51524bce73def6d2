//! The instance-type catalog: Paperspace's machine names with their CPUs,
//! memory and GPUs (spec §7, DOCS-MT and DO-AVAIL). Private clusters name
//! their own machines; those are declared in `gwk.toml`.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Offered when Gradient was retired.
    Current,
    /// A free-tier name (written for Notebooks; workflows accepted some).
    FreeTier,
    /// Retired by Paperspace; the replacement to use instead.
    Retired(&'static str),
}

/// One machine type.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceType {
    pub name: String,
    pub gpus: u32,
    /// The GPU model (`P4000`, `A100`, ...), for GPU types.
    pub gpu_model: Option<String>,
    /// Memory of one GPU, in GB.
    pub gpu_memory_gb: Option<u32>,
    pub cpus: Option<u32>,
    pub memory_gb: Option<u32>,
    pub status: Status,
    /// Declared in gwk.toml rather than known from Paperspace.
    pub custom: bool,
}

impl InstanceType {
    pub fn is_gpu(&self) -> bool {
        self.gpus > 0
    }

    /// "CPU, 4 vCPU, 8 GB" or "2 × A100 (40 GB each), 24 vCPU, 180 GB".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.is_gpu() {
            let model = self.gpu_model.as_deref().unwrap_or("GPU");
            let mem = self
                .gpu_memory_gb
                .map(|m| format!(" ({m} GB{})", if self.gpus > 1 { " each" } else { "" }))
                .unwrap_or_default();
            if self.gpus == 1 {
                parts.push(format!("1 × {model}{mem}"));
            } else {
                parts.push(format!("{} × {model}{mem}", self.gpus));
            }
        } else {
            parts.push("CPU".to_string());
        }
        if let Some(c) = self.cpus {
            parts.push(format!("{c} vCPU"));
        }
        if let Some(m) = self.memory_gb {
            parts.push(format!("{m} GB RAM"));
        }
        parts.join(", ")
    }
}

impl fmt::Display for InstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.summary())
    }
}

/// A single-GPU type: name, GPU memory GB, RAM GB, vCPU.
type GpuRow = (&'static str, Option<u32>, Option<u32>, Option<u32>);

/// The single-GPU types.
const GPUS: &[GpuRow] = &[
    ("M4000", Some(8), Some(30), Some(8)),
    ("P4000", Some(8), Some(30), Some(8)),
    ("P5000", Some(16), Some(30), Some(8)),
    ("P6000", Some(24), Some(30), Some(8)),
    ("RTX4000", Some(8), Some(30), Some(8)),
    ("RTX5000", Some(16), Some(30), Some(8)),
    ("A4000", Some(16), Some(45), Some(8)),
    ("A5000", Some(24), Some(45), Some(8)),
    ("A6000", Some(48), Some(45), Some(8)),
    ("V100", Some(16), Some(30), Some(8)),
    ("V100-32G", Some(32), None, None),
    ("A100", Some(40), Some(90), Some(12)),
    ("A100-80G", Some(80), None, None),
    ("H100", Some(80), None, None),
];

/// Multi-GPU variants offered (DOCS-MT pricing and tier tables).
const MULTI: &[(&str, &[u32])] = &[
    ("P4000", &[2, 4]),
    ("P5000", &[2, 4]),
    ("P6000", &[2, 4]),
    ("RTX4000", &[2, 4]),
    ("RTX5000", &[2, 4]),
    ("A4000", &[2, 4]),
    ("A5000", &[2, 4]),
    ("A6000", &[2, 4]),
    ("A100", &[2, 4, 8]),
];

/// Every instance type Paperspace offered for workflows, in catalog order.
pub fn catalog() -> &'static [InstanceType] {
    static CATALOG: std::sync::OnceLock<Vec<InstanceType>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(build)
}

fn cpu(name: &str, cpus: Option<u32>, memory_gb: Option<u32>, status: Status) -> InstanceType {
    InstanceType {
        name: name.into(),
        gpus: 0,
        gpu_model: None,
        gpu_memory_gb: None,
        cpus,
        memory_gb,
        status,
        custom: false,
    }
}

fn build() -> Vec<InstanceType> {
    let mut out = vec![
        cpu("C2", Some(1), Some(1), Status::Retired("C4")),
        cpu("C3", Some(2), Some(2), Status::Retired("C4")),
        cpu("C4", None, None, Status::Current),
        cpu("C5", Some(4), Some(8), Status::Current),
        cpu("C7", Some(12), Some(30), Status::Current),
    ];
    let gpu = |name: &str, model: &str, n: u32, status: Status| {
        let (_, mem, ram, cpus) = GPUS.iter().find(|g| g.0 == model).expect("known GPU");
        InstanceType {
            name: name.into(),
            gpus: n,
            gpu_model: Some(model.into()),
            gpu_memory_gb: *mem,
            cpus: cpus.map(|c| c * n),
            memory_gb: ram.map(|r| r * n),
            status,
            custom: false,
        }
    };
    for (model, ..) in GPUS {
        out.push(gpu(model, model, 1, Status::Current));
    }
    out.push(gpu("GPU+", "M4000", 1, Status::Current));
    for (model, counts) in MULTI {
        for n in *counts {
            out.push(gpu(&format!("{model}x{n}"), model, *n, Status::Current));
        }
    }
    out.push(cpu("Free-CPU", None, None, Status::FreeTier));
    out.push(gpu("Free-GPU", "M4000", 1, Status::FreeTier));
    out.push(gpu("Free-GPU+", "M4000", 1, Status::FreeTier));
    for model in [
        "P4000", "P5000", "RTX4000", "RTX5000", "A4000", "A5000", "A6000", "A100",
    ] {
        out.push(gpu(&format!("Free-{model}"), model, 1, Status::FreeTier));
    }
    out
}

/// The catalog entry of a Paperspace instance type.
pub fn lookup(name: &str) -> Option<&'static InstanceType> {
    catalog().iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_gpu_types_count_their_gpus() {
        let t = lookup("A100x4").unwrap();
        assert_eq!(t.gpus, 4);
        assert_eq!(t.gpu_memory_gb, Some(40));
        assert_eq!(t.summary(), "4 × A100 (40 GB each), 48 vCPU, 360 GB RAM");
        assert_eq!(lookup("C5").unwrap().summary(), "CPU, 4 vCPU, 8 GB RAM");
        assert!(lookup("A4000-8C").is_none());
        assert_eq!(lookup("C3").unwrap().status, Status::Retired("C4"));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = catalog().iter().map(|t| t.name.as_str()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
