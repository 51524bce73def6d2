//! `s3-download@v1`: copies every object under `s3://bucket/prefix` into
//! the job's output, with the `object_store` S3 client (any S3-compatible
//! server through `endpoint`).

use futures_util::StreamExt;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use std::path::Path;
use tokio::io::AsyncWriteExt;

pub struct Download<'a> {
    /// `s3://bucket/prefix`.
    pub url: &'a str,
    pub region: Option<&'a str>,
    pub endpoint: Option<&'a str>,
    pub access_key: Option<&'a str>,
    pub secret_access_key: Option<&'a str>,
    /// The directory to write into.
    pub dest: &'a Path,
}

/// `(bucket, prefix)` of an `s3://` URL.
pub fn parse_url(url: &str) -> Result<(&str, &str), String> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| format!("s3-download@v1: `url: {url}` is not an s3://bucket/prefix URL"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(format!("s3-download@v1: `url: {url}` names no bucket"));
    }
    Ok((bucket, prefix.trim_end_matches('/')))
}

pub async fn download(d: &Download<'_>, log: &(dyn Fn(&str) + Send + Sync)) -> Result<(), String> {
    let (bucket, prefix) = parse_url(d.url)?;
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(d.region.unwrap_or("us-east-1"));
    if let Some(e) = d.endpoint {
        b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
    }
    // Gradient's action requires both keys (it had no anonymous access), and
    // `gwk check` reports a job without them, so a plan never lacks them.
    let (Some(k), Some(s)) = (d.access_key, d.secret_access_key) else {
        return Err("s3-download@v1 needs `access-key` and `secret-access-key`".into());
    };
    b = b.with_access_key_id(k).with_secret_access_key(s);
    let store = b.build().map_err(|e| format!("s3-download@v1: {e}"))?;
    let err = |e: object_store::Error| format!("s3-download@v1 from {}: {e}", d.url);
    let list_prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
    let mut listing = store.list(list_prefix.as_ref());
    let (mut files, mut bytes) = (0u64, 0u64);
    while let Some(meta) = listing.next().await {
        let meta = meta.map_err(err)?;
        let key = meta.location.as_ref();
        // Keep paths relative to the prefix; an exact object lands as its
        // file name.
        let rel = if key == prefix {
            key.rsplit('/').next().unwrap_or(key)
        } else {
            key.strip_prefix(prefix)
                .unwrap_or(key)
                .trim_start_matches('/')
        };
        if rel.is_empty() || rel.split('/').any(|c| c == ".." || c == ".") {
            log(&format!("skipping object `{key}`: not a safe file name"));
            continue;
        }
        let to = d.dest.join(rel);
        if let Some(parent) = to.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut file = tokio::fs::File::create(&to)
            .await
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        let mut stream = store.get(&meta.location).await.map_err(err)?.into_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(err)?;
            file.write_all(&chunk)
                .await
                .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        }
        file.flush()
            .await
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        files += 1;
        bytes += meta.size;
        log(&format!("downloaded {key} ({} bytes)", meta.size));
    }
    if files == 0 {
        return Err(format!("s3-download@v1: no object under {}", d.url));
    }
    log(&format!("{files} objects, {bytes} bytes from {}", d.url));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_urls() {
        assert_eq!(super::parse_url("s3://b/p/q/"), Ok(("b", "p/q")));
        assert_eq!(super::parse_url("s3://b"), Ok(("b", "")));
        assert!(super::parse_url("https://b/p").is_err());
        assert!(super::parse_url("s3:///p").is_err());
    }
}
