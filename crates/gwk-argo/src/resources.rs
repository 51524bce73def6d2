//! Instance type → container resources and node selector.
//!
//! From the machine the plan names (Paperspace's catalog or gwk.toml's
//! `[instance-types]`): the limits are the machine's CPUs and memory, and
//! the requests `[argo] request-fraction` of them (0.75 by default). A
//! node's allocatable CPU and memory are below its capacity (the kubelet,
//! the system and daemon sets keep some), so a pod that requested a whole
//! 30 GB machine would fit no 30 GB node and stay pending. GPUs are
//! requests and limits of `nvidia.com/gpu`, equal, as Kubernetes wants of an
//! extended resource. `[argo.instance-types.NAME]` sets a value outright
//! (request and limit). The node selector is the union of
//! `[argo] node-selector`, `gpu-node-selector` (GPU jobs only), the
//! `instance-type-label` and the instance type's own, later winning.
//! Every quantity is a string, as Kubernetes' schema wants.

use crate::settings::Settings;
use gwk_spec::plan::JobPlan;
use std::collections::BTreeMap;

pub(crate) fn for_job(
    job: &JobPlan,
    settings: &Settings,
) -> (crate::manifest::Resources, BTreeMap<String, String>) {
    let own = job
        .instance_type
        .as_ref()
        .and_then(|t| settings.instance_types.get(t));
    let machine = job.machine.as_ref().filter(|_| settings.catalog_resources);
    let fraction = settings.request_fraction;

    // (request, limit) of each resource.
    let cpu = match own.and_then(|o| o.cpu.as_ref()) {
        Some(q) => Some((q.as_string(), q.as_string())),
        None => machine
            .and_then(|m| m.cpus)
            .map(|c| (millicores(f64::from(c) * fraction), c.to_string())),
    };
    let memory = match own.and_then(|o| o.memory.as_ref()) {
        Some(q) => Some((q.as_string(), q.as_string())),
        None => machine
            .and_then(|m| m.memory_gb)
            .map(|g| (mebibytes(f64::from(g) * fraction), format!("{g}Gi"))),
    };
    let gpus = own.and_then(|o| o.gpus).unwrap_or(job.gpus);

    let mut res = crate::manifest::Resources::default();
    for (name, value) in [("cpu", cpu), ("memory", memory)] {
        if let Some((request, limit)) = value {
            res.requests.insert(name.into(), request);
            res.limits.insert(name.into(), limit);
        }
    }
    if gpus > 0 {
        // Extended resources cannot be overcommitted: Kubernetes wants the
        // limit, and a request equal to it.
        res.requests
            .insert(settings.gpu_resource.clone(), gpus.to_string());
        res.limits
            .insert(settings.gpu_resource.clone(), gpus.to_string());
    }

    let mut selector = settings.node_selector.clone();
    if gpus > 0 {
        selector.extend(settings.gpu_node_selector.clone());
    }
    if let (Some(label), Some(t)) = (&settings.instance_type_label, &job.instance_type) {
        selector.insert(label.clone(), crate::names::label_value(t));
    }
    if let Some(o) = own {
        selector.extend(o.node_selector.clone());
    }
    (res, selector)
}

/// CPUs as a quantity, rounded down to a millicore: `"6"`, `"5250m"`.
fn millicores(cpus: f64) -> String {
    let m = (cpus * 1000.0).floor() as u64;
    if m.is_multiple_of(1000) {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

/// GiB as a quantity, rounded down to a MiB: `"6Gi"`, `"22Mi"`.
fn mebibytes(gib: f64) -> String {
    let mi = (gib * 1024.0).floor() as u64;
    if mi.is_multiple_of(1024) {
        format!("{}Gi", mi / 1024)
    } else {
        format!("{mi}Mi")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_of_a_machine_round_down_to_whole_units() {
        assert_eq!(millicores(8.0 * 0.75), "6");
        assert_eq!(millicores(7.0 * 0.75), "5250m");
        assert_eq!(millicores(0.0), "0");
        assert_eq!(mebibytes(8.0 * 0.75), "6Gi");
        assert_eq!(mebibytes(30.0 * 0.75), "23040Mi");
        assert_eq!(mebibytes(1.0 / 3.0), "341Mi");
    }
}
