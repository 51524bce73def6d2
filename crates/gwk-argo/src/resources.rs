//! Instance type → container resources and node selector.
//!
//! Defaults come from the machine the plan names (Paperspace's catalog or
//! gwk.toml's `[instance-types]`): CPUs and memory as requests (memory also
//! as the limit, as the machine had no more), GPUs as requests and limits
//! of `nvidia.com/gpu`. `[argo.instance-types.NAME]` overrides each value,
//! and the node selector is the union of `[argo] node-selector`, the
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

    let cpu = own
        .and_then(|o| o.cpu.as_ref().map(|q| q.as_string()))
        .or_else(|| machine.and_then(|m| m.cpus).map(|c| c.to_string()));
    let memory = own
        .and_then(|o| o.memory.as_ref().map(|q| q.as_string()))
        .or_else(|| machine.and_then(|m| m.memory_gb).map(|g| format!("{g}Gi")));
    let gpus = own.and_then(|o| o.gpus).unwrap_or(job.gpus);

    let mut res = crate::manifest::Resources::default();
    if let Some(cpu) = cpu {
        res.requests.insert("cpu".into(), cpu);
    }
    if let Some(memory) = memory {
        res.requests.insert("memory".into(), memory.clone());
        res.limits.insert("memory".into(), memory);
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
    if let (Some(label), Some(t)) = (&settings.instance_type_label, &job.instance_type) {
        selector.insert(label.clone(), crate::names::label_value(t));
    }
    if let Some(o) = own {
        selector.extend(o.node_selector.clone());
    }
    (res, selector)
}
