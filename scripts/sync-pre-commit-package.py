#!/usr/bin/env python3
"""Copies crates/gwk/Cargo.toml's [dependencies] into the root Cargo.toml.

The root manifest is also a package, `gwk-pre-commit`, which compiles the gwk
CLI's sources (crates/gwk/src/main.rs) for pre-commit's `language: rust` hook
(see the comment above [package] in Cargo.toml). It needs exactly the
dependencies of crates/gwk: run this after changing those.
scripts/checks/60-pre-commit.sh fails while they differ.

    python3 scripts/sync-pre-commit-package.py          # rewrite
    python3 scripts/sync-pre-commit-package.py --check  # only report
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
SECTION = re.compile(r"^\[dependencies\]\n(?:(?!\[).*\n|\n)*", re.M)


def section(text: str, where: str) -> re.Match:
    m = SECTION.search(text)
    if not m:
        sys.exit(f"{where} has no [dependencies] section")
    return m


gwk_text = (root / "crates/gwk/Cargo.toml").read_text()
root_path = root / "Cargo.toml"
root_text = root_path.read_text()
want = section(gwk_text, "crates/gwk/Cargo.toml").group(0).rstrip("\n") + "\n\n"
have = section(root_text, "Cargo.toml")
if have.group(0).rstrip("\n") == want.rstrip("\n"):
    print("the root package's [dependencies] are crates/gwk's")
    sys.exit(0)
if "--check" in sys.argv:
    sys.exit(
        "the root Cargo.toml's [dependencies] (package gwk-pre-commit, the pre-commit hook's build) "
        "differ from crates/gwk/Cargo.toml's: run python3 scripts/sync-pre-commit-package.py"
    )
root_path.write_text(root_text[: have.start()] + want + root_text[have.end():])
print("copied crates/gwk/Cargo.toml's [dependencies] into Cargo.toml")
