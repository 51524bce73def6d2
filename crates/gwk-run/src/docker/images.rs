//! Making sure an image is on the host: `--pull missing|always|never`,
//! with progress.

use super::{Engine, EngineError, credentials_for, docker_message};
use bollard::query_parameters::CreateImageOptions;
use futures_util::StreamExt;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullPolicy {
    /// Pull only images that are not on the host.
    #[default]
    Missing,
    /// Pull every image, to get the newest of a tag.
    Always,
    /// Never pull; refuse a run whose images are not all present.
    Never,
}

/// Bytes downloaded so far for one image, over all its layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullProgress {
    pub image: String,
    pub current: u64,
    /// Sum of the sizes of the layers known so far (0 until one is known).
    pub total: u64,
    /// The latest status line ("Pulling fs layer", "Download complete"...).
    pub status: String,
}

/// The registry host of an image reference (`docker.io` when none is named).
pub fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

/// `repo` and `tag` for the pull API; a digest reference stays whole.
fn split_tag(image: &str) -> (&str, &str) {
    if image.contains('@') {
        return (image, "");
    }
    let last_slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
    match image[last_slash..].rfind(':') {
        Some(i) => (&image[..last_slash + i], &image[last_slash + i + 1..]),
        None => (image, "latest"),
    }
}

impl Engine {
    /// Makes `image` present according to `policy`. Returns whether it was
    /// pulled. `progress` is called as layers download.
    pub async fn ensure_image(
        &self,
        image: &str,
        policy: PullPolicy,
        progress: &mut (dyn FnMut(PullProgress) + Send),
    ) -> Result<bool, EngineError> {
        let present = self.image_id(image).await?.is_some();
        match policy {
            PullPolicy::Never if present => return Ok(false),
            PullPolicy::Never => {
                return Err(EngineError::ImageMissing {
                    image: image.to_string(),
                });
            }
            PullPolicy::Missing if present => return Ok(false),
            _ => {}
        }
        self.pull(image, progress).await.map(|()| true)
    }

    async fn pull(
        &self,
        image: &str,
        progress: &mut (dyn FnMut(PullProgress) + Send),
    ) -> Result<(), EngineError> {
        let (repo, tag) = split_tag(image);
        let options = CreateImageOptions {
            from_image: Some(repo.to_string()),
            tag: (!tag.is_empty()).then(|| tag.to_string()),
            ..Default::default()
        };
        let creds = credentials_for(registry_of(image));
        let mut stream = self.docker.create_image(Some(options), None, creds);
        let mut layers: HashMap<String, (u64, u64)> = HashMap::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| EngineError::Pull {
                image: image.to_string(),
                message: docker_message(&e),
            })?;
            if let Some(err) = info.error_detail.and_then(|d| d.message) {
                return Err(EngineError::Pull {
                    image: image.to_string(),
                    message: err,
                });
            }
            let status = info.status.unwrap_or_default();
            if let (Some(id), Some(d)) = (info.id, info.progress_detail) {
                let entry = layers.entry(id).or_default();
                if let Some(total) = d.total.filter(|t| *t > 0) {
                    entry.1 = total as u64;
                }
                if let Some(cur) = d.current {
                    // Extraction reports its own progress; count downloads only.
                    if status.starts_with("Downloading") {
                        entry.0 = cur as u64;
                    }
                }
                if status == "Download complete" || status == "Pull complete" {
                    entry.0 = entry.1;
                }
            }
            progress(PullProgress {
                image: image.to_string(),
                current: layers.values().map(|l| l.0).sum(),
                total: layers.values().map(|l| l.1).sum(),
                status,
            });
        }
        // Some daemons end the stream without an error for a failed pull.
        if self.image_id(image).await?.is_none() {
            return Err(EngineError::Pull {
                image: image.to_string(),
                message: "the engine finished the pull but the image is not there".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_and_tags() {
        assert_eq!(registry_of("bash:5"), "docker.io");
        assert_eq!(registry_of("paperspace/gradient-sdk"), "docker.io");
        assert_eq!(
            registry_of("127.0.0.1:5000/gwk-test/base:latest"),
            "127.0.0.1:5000"
        );
        assert_eq!(registry_of("ghcr.io/x/y"), "ghcr.io");
        assert_eq!(split_tag("bash:5"), ("bash", "5"));
        assert_eq!(split_tag("ubuntu"), ("ubuntu", "latest"));
        assert_eq!(
            split_tag("127.0.0.1:5000/gwk-test/base"),
            ("127.0.0.1:5000/gwk-test/base", "latest")
        );
        assert_eq!(split_tag("a/b@sha256:00"), ("a/b@sha256:00", ""));
    }
}
