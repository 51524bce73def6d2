#!/usr/bin/env bash
# Attaches everything in $DIST (archives, wheels, VS Code packages,
# SHA256SUMS) to the GitHub release of the tag $GITHUB_REF_NAME, creating it
# (gh, with $GH_TOKEN). With GWK_RELEASE_DRY_RUN=1 (what CI here sets) it
# checks the files and the checksums and prints the command instead.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
tag="${GITHUB_REF_NAME:?publish: GITHUB_REF_NAME (the tag) is not set}"
cd "$dist"
[ -f SHA256SUMS ] || { echo "publish: $dist/SHA256SUMS is missing: run scripts/release/checksums.sh" >&2; exit 1; }
sha256sum --check --quiet SHA256SUMS
files=()
for f in *; do [ -f "$f" ] && files+=("$f"); done
for kind in '*.whl' '*.tar.gz'; do
    compgen -G "$kind" >/dev/null || { echo "publish: no $kind in $dist" >&2; exit 1; }
done
cmd=(gh release create "$tag" --verify-tag --title "gwk ${tag#v}" --generate-notes "${files[@]}")
if [ "${GWK_RELEASE_DRY_RUN:-0}" = 1 ]; then
    echo "publish (dry run): ${cmd[*]}"
    exit 0
fi
"${cmd[@]}"
