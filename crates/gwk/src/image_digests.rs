//! The fix of an `unpinned-image` finding that pins the image to the
//! digest it has on this host (`bash:latest` → `bash:latest@sha256:…`).
//!
//! The checker (gwk-spec) reads text only, so it cannot know a digest;
//! `gwk check` asks the local Docker engine, when one answers, for the
//! `RepoDigests` of each unpinned image and adds the fix to the finding's
//! fixes, where `--fix` and every output find it. With no engine, or an
//! image that is not on this host or has no `RepoDigests` (built or loaded
//! here, never pushed to or pulled from a registry), the finding is left as
//! it is: no error, no fix.
//!
//! The fix is unsafe (the security family's fixes are): the digest pins
//! whatever image this host has under that name, which may not be the one
//! the registry serves today, and it changes what the job runs.

use gwk_spec::check::Analysis;
use gwk_spec::syntax::{Node, Span, parse};
use gwk_spec::{Code, Fix};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

/// How long `gwk check` waits for the engine: a check must not hang on a
/// daemon that does not answer.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(3);

/// Adds the digest fix to the `unpinned-image` findings of one check
/// (`gwk check --fix --unsafe-fixes` calls it on each pass's check).
pub fn add_to(analysis: &mut Analysis, digests: &Digests) {
    let found = images_of_findings(analysis);
    if found.is_empty() {
        return; // no finding, no engine asked
    }
    let names: BTreeSet<&str> = found.iter().map(|(_, i)| i.reference.as_str()).collect();
    let known = digests.of(&names);
    for (d, image) in &found {
        let Some(digest) = known.get(image.reference.as_str()) else {
            continue;
        };
        let pinned = format!("{}@{digest}", image.reference);
        let text = match image.quote {
            Some(q) => format!("{q}{pinned}{q}"),
            None => pinned.clone(),
        };
        analysis.diagnostics[*d].fixes.push(Fix::replace(
            format!(
                "pin the image to `{pinned}`, the digest it has on this host (check that it is \
                 the image you mean to run)"
            ),
            image.span,
            text,
        ));
    }
}

/// What the engine said of each image, asked once per image (and not at
/// all again once no engine answered) for all the files of one check.
#[derive(Default)]
pub struct Digests(Mutex<Asked>);

#[derive(Default)]
struct Asked {
    no_engine: bool,
    digests: BTreeMap<String, Option<String>>,
}

impl Digests {
    /// The digests of those of `images` the engine has one for.
    fn of(&self, images: &BTreeSet<&str>) -> BTreeMap<String, String> {
        let mut asked = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let new: BTreeSet<&str> = (images.iter().copied())
            .filter(|i| !asked.digests.contains_key(*i))
            .collect();
        if !new.is_empty() && !asked.no_engine {
            match local_digests(&new) {
                Some(found) => {
                    for image in new {
                        let digest = found.get(image).cloned();
                        asked.digests.insert(image.to_string(), digest);
                    }
                }
                None => asked.no_engine = true,
            }
        }
        (images.iter())
            .filter_map(|i| Some((i.to_string(), asked.digests.get(*i)?.clone()?)))
            .collect()
    }
}

/// An image reference as the workflow writes it.
#[derive(Debug, PartialEq, Eq)]
struct Image {
    reference: String,
    /// The whole scalar, quotes included.
    span: Span,
    quote: Option<char>,
}

/// The `unpinned-image` findings of one file (their index) with the image
/// each is about. The file is parsed again: `gwk check` drops the tree of
/// each file once it is checked, and only files with such a finding pay.
fn images_of_findings(a: &Analysis) -> Vec<(usize, Image)> {
    let wanted: Vec<usize> = (a.diagnostics.iter().enumerate())
        .filter(|(_, d)| d.code == Code::UnpinnedImage)
        .map(|(i, _)| i)
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let Some(root) = parse(&a.text, &a.line_index).root else {
        return Vec::new();
    };
    let wf = gwk_spec::model::lower(&root);
    let images: Vec<Image> = wf
        .jobs
        .iter()
        .filter_map(|j| j.param("image"))
        .filter_map(|p| image(&a.text, &p.value))
        .collect();
    wanted
        .into_iter()
        .filter_map(|i| {
            let span = a.diagnostics[i].span;
            let image = images
                .iter()
                .find(|im| im.span.start <= span.start && span.end <= im.span.end)?;
            Some((
                i,
                Image {
                    reference: image.reference.clone(),
                    span: image.span,
                    quote: image.quote,
                },
            ))
        })
        .collect()
}

/// The image a scalar names, when its source is the plain reference or the
/// reference in quotes (an escape inside would make the fix's text differ).
fn image(text: &str, node: &Node) -> Option<Image> {
    let value = node.as_str()?;
    let source = text.get(node.span.start..node.span.end)?;
    let quote = match source.chars().next() {
        Some(q @ ('"' | '\'')) if source.len() == value.len() + 2 => Some(q),
        _ if source == value => None,
        _ => return None,
    };
    if quote.is_some() && &source[1..source.len() - 1] != value {
        return None;
    }
    Some(Image {
        reference: value.to_string(),
        span: node.span,
        quote,
    })
}

/// The digest (`sha256:…`) of each of `images` that the local engine has
/// from the image's own repository; `None` when no engine answers in time.
fn local_digests(images: &BTreeSet<&str>) -> Option<BTreeMap<String, String>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let mut out = BTreeMap::new();
        let connect = gwk_run::Engine::connect(None);
        let Ok(Ok(engine)) = tokio::time::timeout(ENGINE_TIMEOUT, connect).await else {
            return None;
        };
        for image in images {
            let ask = engine.image_repo_digests(image);
            let Ok(Ok(Some(repo_digests))) = tokio::time::timeout(ENGINE_TIMEOUT, ask).await else {
                continue;
            };
            if let Some(d) = digest_for(image, &repo_digests) {
                out.insert(image.to_string(), d.to_string());
            }
        }
        Some(out)
    })
}

/// The digest among an image's `RepoDigests` (`repo@sha256:…`) that comes
/// from the repository `image` names: a digest of another repository (the
/// same image tagged under two names) cannot be pulled by this name.
fn digest_for<'d>(image: &str, repo_digests: &'d [String]) -> Option<&'d str> {
    let repo = normalized(repository(image));
    repo_digests.iter().find_map(|rd| {
        let (r, digest) = rd.split_once('@')?;
        (normalized(r) == repo && digest.starts_with("sha256:")).then_some(digest)
    })
}

/// The repository of a reference: without its tag (a `:` after the last
/// `/`, so a registry's port stays).
fn repository(image: &str) -> &str {
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(i) => &image[..last_slash + i],
        None => image,
    }
}

/// Docker Hub's names the short way: `docker.io/library/bash` → `bash`.
fn normalized(repo: &str) -> &str {
    let r = repo
        .strip_prefix("docker.io/")
        .or_else(|| repo.strip_prefix("index.docker.io/"))
        .unwrap_or(repo);
    r.strip_prefix("library/").unwrap_or(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_of_the_image_own_repository() {
        let rds = vec![
            "other/name@sha256:aaaa".to_string(),
            "docker.io/library/bash@sha256:bbbb".to_string(),
        ];
        assert_eq!(digest_for("bash:5", &rds), Some("sha256:bbbb"));
        assert_eq!(digest_for("bash", &rds), Some("sha256:bbbb"));
        assert_eq!(digest_for("library/bash:latest", &rds), Some("sha256:bbbb"));
        assert_eq!(digest_for("other/name:1", &rds), Some("sha256:aaaa"));
        assert_eq!(digest_for("alpine:3.19", &rds), None);
        assert_eq!(digest_for("bash", &[]), None);
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        assert_eq!(
            repository("127.0.0.1:5000/x/y:latest"),
            "127.0.0.1:5000/x/y"
        );
        assert_eq!(repository("127.0.0.1:5000/x/y"), "127.0.0.1:5000/x/y");
        assert_eq!(repository("bash"), "bash");
    }

    #[test]
    fn images_are_read_plain_or_quoted() {
        let text = "a: bash:latest\nb: \"bash\"\nc: 'x:1'\n";
        let index = gwk_spec::syntax::LineIndex::new(text);
        let root = parse(text, &index).root.unwrap();
        let got: Vec<(String, Option<char>)> = root
            .as_mapping()
            .unwrap()
            .iter()
            .map(|e| image(text, &e.value).unwrap())
            .map(|i| {
                assert_eq!(
                    &text[i.span.start..i.span.end].trim_matches(['"', '\'']),
                    &i.reference
                );
                (i.reference, i.quote)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("bash:latest".to_string(), None),
                ("bash".to_string(), Some('"')),
                ("x:1".to_string(), Some('\'')),
            ]
        );
    }
}
