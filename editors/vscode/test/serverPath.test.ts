import assert from "node:assert/strict";
import { test } from "node:test";
import { cargoBinDir, describeSource, expandVariables, installCommand, notFoundMessage, resolveExecutable, type Host } from "../src/serverPath";

function host(files: string[], over: Partial<Host> = {}): Host {
  const set = new Set(files);
  return {
    platform: "linux",
    env: { PATH: "/usr/local/bin:/usr/bin" },
    homedir: "/home/ada",
    workspaceFolders: ["/work/repo"],
    isExecutable: (f) => set.has(f),
    ...over,
  };
}

test("the setting wins over PATH", () => {
  const r = resolveExecutable("gwk-lsp", "/opt/gwk/gwk-lsp", host(["/opt/gwk/gwk-lsp", "/usr/bin/gwk-lsp"]));
  assert.deepEqual(r, { kind: "found", path: "/opt/gwk/gwk-lsp", source: "setting" });
});

test("a relative setting is taken from the workspace folder", () => {
  const r = resolveExecutable("gwk-lsp", "target/debug/gwk-lsp", host(["/work/repo/target/debug/gwk-lsp"]));
  assert.deepEqual(r, { kind: "found", path: "/work/repo/target/debug/gwk-lsp", source: "setting" });
});

test("~ and ${...} variables are expanded", () => {
  const h = host(["/home/ada/bin/gwk-lsp", "/work/repo/bin/gwk-lsp", "/srv/gwk-lsp"], { env: { PATH: "", GWK: "/srv" } });
  assert.equal(resolveExecutable("gwk-lsp", "~/bin/gwk-lsp", h).kind, "found");
  assert.deepEqual(resolveExecutable("gwk-lsp", "${workspaceFolder}/bin/gwk-lsp", h), { kind: "found", path: "/work/repo/bin/gwk-lsp", source: "setting" });
  assert.deepEqual(resolveExecutable("gwk-lsp", "${env:GWK}/gwk-lsp", h), { kind: "found", path: "/srv/gwk-lsp", source: "setting" });
  assert.equal(expandVariables("${userHome}/x", h), "/home/ada/x");
  assert.equal(expandVariables("${env:NOPE}/x", h), "/x");
});

test("a bare command name in the setting is looked up on PATH", () => {
  const r = resolveExecutable("gwk-lsp", "gwk-lsp-nightly", host(["/usr/bin/gwk-lsp-nightly"]));
  assert.deepEqual(r, { kind: "found", path: "/usr/bin/gwk-lsp-nightly", source: "setting" });
});

test("a setting that points nowhere is reported, without falling back to PATH", () => {
  const r = resolveExecutable("gwk-lsp", "/opt/missing/gwk-lsp", host(["/usr/bin/gwk-lsp"]));
  assert.ok(r.kind === "bad-setting", r.kind);
  assert.deepEqual(r.tried, ["/opt/missing/gwk-lsp"]);
  const msg = notFoundMessage("gwk-lsp", "gwk.server.path", r, "/home/ada/.cargo/bin");
  assert.match(msg, /gwk\.server\.path is set to "\/opt\/missing\/gwk-lsp"/);
});

test("without a setting: PATH in order, first match wins", () => {
  const r = resolveExecutable("gwk-lsp", "", host(["/usr/bin/gwk-lsp", "/usr/local/bin/gwk-lsp"]));
  assert.deepEqual(r, { kind: "found", path: "/usr/local/bin/gwk-lsp", source: "PATH" });
});

test("then ~/.cargo/bin (or $CARGO_HOME/bin), where cargo install puts it", () => {
  assert.deepEqual(resolveExecutable("gwk-lsp", undefined, host(["/home/ada/.cargo/bin/gwk-lsp"])), {
    kind: "found",
    path: "/home/ada/.cargo/bin/gwk-lsp",
    source: "cargo",
  });
  const h = host(["/opt/cargo/bin/gwk-lsp"], { env: { PATH: "/usr/bin", CARGO_HOME: "/opt/cargo" } });
  assert.equal(cargoBinDir(h), "/opt/cargo/bin");
  assert.equal(resolveExecutable("gwk-lsp", undefined, h).kind, "found");
});

test("not found anywhere: the message names the install command", () => {
  const r = resolveExecutable("gwk-lsp", "  ", host([]));
  assert.ok(r.kind === "not-found", r.kind);
  assert.deepEqual(r.tried, ["/usr/local/bin/gwk-lsp", "/usr/bin/gwk-lsp", "/home/ada/.cargo/bin/gwk-lsp"]);
  const msg = notFoundMessage("gwk-lsp", "gwk.server.path", r, "/home/ada/.cargo/bin");
  assert.ok(msg.includes("bundled with the extension"), msg);
  assert.ok(!msg.includes("remote window"), msg);
  assert.ok(msg.includes(installCommand("gwk-lsp")), msg);
  assert.ok(msg.includes("cargo install --path crates/gwk-lsp"), msg);
  assert.ok(msg.includes("/home/ada/.cargo/bin"), msg);
  assert.equal(installCommand("gwk-lsp"), "cargo install --locked --git https://github.com/gwk-dev/gwk gwk-lsp");
});

test("Windows: PATH uses ; and PATHEXT suffixes", () => {
  const h = host(["C:\\tools\\gwk-lsp.exe", "C:\\Users\\ada\\.cargo\\bin\\gwk.exe"], {
    platform: "win32",
    env: { Path: "C:\\Windows;C:\\tools", PATHEXT: ".COM;.EXE" },
    homedir: "C:\\Users\\ada",
    workspaceFolders: ["C:\\repo"],
  });
  assert.deepEqual(resolveExecutable("gwk-lsp", undefined, h), { kind: "found", path: "C:\\tools\\gwk-lsp.exe", source: "PATH" });
  assert.deepEqual(resolveExecutable("gwk", undefined, h), { kind: "found", path: "C:\\Users\\ada\\.cargo\\bin\\gwk.exe", source: "cargo" });
  assert.deepEqual(resolveExecutable("gwk-lsp", "C:\\tools\\gwk-lsp", h), { kind: "found", path: "C:\\tools\\gwk-lsp.exe", source: "setting" });
});

const BUNDLED = "/home/ada/.vscode/extensions/gwk-dev.gwk-0.1.0-linux-x64/server/gwk-lsp";

test("the bundled server is used when no setting, PATH or cargo names one", () => {
  assert.deepEqual(resolveExecutable("gwk-lsp", "", host([BUNDLED]), BUNDLED), { kind: "found", path: BUNDLED, source: "bundled" });
  // PATH and ~/.cargo/bin say otherwise, and so does a setting.
  assert.deepEqual(resolveExecutable("gwk-lsp", "", host([BUNDLED, "/usr/bin/gwk-lsp"]), BUNDLED), { kind: "found", path: "/usr/bin/gwk-lsp", source: "PATH" });
  assert.deepEqual(resolveExecutable("gwk-lsp", "", host([BUNDLED, "/home/ada/.cargo/bin/gwk-lsp"]), BUNDLED), {
    kind: "found",
    path: "/home/ada/.cargo/bin/gwk-lsp",
    source: "cargo",
  });
  assert.deepEqual(resolveExecutable("gwk-lsp", "/opt/gwk-lsp", host([BUNDLED, "/opt/gwk-lsp"]), BUNDLED), { kind: "found", path: "/opt/gwk-lsp", source: "setting" });
  // A setting that names nothing is an error, not a reason to use the bundled one.
  assert.equal(resolveExecutable("gwk-lsp", "/opt/missing", host([BUNDLED]), BUNDLED).kind, "bad-setting");
});

test("a package without a server: the bundled path is listed among the places looked at", () => {
  const r = resolveExecutable("gwk-lsp", undefined, host([]), BUNDLED);
  assert.ok(r.kind === "not-found", r.kind);
  assert.equal(r.tried.at(-1), BUNDLED);
});

test("the source is said in words", () => {
  assert.equal(describeSource("bundled", "gwk.server.path"), "bundled with the extension");
  assert.equal(describeSource("setting", "gwk.server.path"), "from the gwk.server.path setting");
  assert.equal(describeSource("PATH", "gwk.server.path"), "found on PATH");
  assert.equal(describeSource("cargo", "gwk.server.path"), "installed by cargo");
});

test("in a remote window the message says where the setting must go", () => {
  const r = resolveExecutable("gwk-lsp", undefined, host([]), BUNDLED);
  assert.ok(r.kind === "not-found");
  const msg = notFoundMessage("gwk-lsp", "gwk.server.path", r, "/home/ada/.cargo/bin", "ssh-remote");
  assert.match(msg, /in this remote window, ssh-remote, a gwk\.server\.path in your user settings does not apply: set it in the workspace or Remote settings/);
  // gwk (the CLI) has no bundled copy: not promised.
  const cli = notFoundMessage("gwk", "gwk.cli.path", { kind: "not-found", tried: [] }, "/home/ada/.cargo/bin");
  assert.ok(!cli.includes("bundled"), cli);
});
