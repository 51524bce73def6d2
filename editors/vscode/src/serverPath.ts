// Finding the gwk-lsp (and gwk) executables: from a setting, else on PATH,
// else where `cargo install` puts them, else the server bundled in a
// platform-specific package of the extension. Pure: the file system and the
// environment come in as arguments, so the tests can play any platform.
//
// All of this runs where the extension runs: in a remote window (SSH, a
// container, code-server) that is the remote side, its PATH and its files.

import * as path from "node:path";

export interface Host {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homedir: string;
  /** Absolute paths of the open workspace folders, first is the default. */
  workspaceFolders: string[];
  /** Whether `file` exists and is a file we may run. */
  isExecutable(file: string): boolean;
}

export type Source = "setting" | "PATH" | "cargo" | "bundled";

export type Resolution =
  | { kind: "found"; path: string; source: Source }
  /** The setting names something that is not there: say so, do not guess. */
  | { kind: "bad-setting"; setting: string; tried: string[] }
  | { kind: "not-found"; tried: string[] };

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`. */
export function expandVariables(value: string, host: Host): string {
  let out = value.trim();
  const p = pathApi(host.platform);
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) {
    out = p.join(host.homedir, out.slice(1));
  }
  return out.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (_m, what: string, name?: string) => {
    if (what === "workspaceFolder") return host.workspaceFolders[0] ?? "";
    if (what === "userHome") return host.homedir;
    return (name && host.env[name]) ?? "";
  });
}

/** The names `name` may have on disk: on Windows, with each PATHEXT suffix. */
function candidates(name: string, host: Host): string[] {
  if (host.platform !== "win32" || /\.[A-Za-z0-9]+$/.test(name)) {
    return [name];
  }
  const exts = (host.env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean);
  return exts.map((e) => name + e.toLowerCase());
}

function searchPath(name: string, host: Host, tried: string[]): string | undefined {
  const p = pathApi(host.platform);
  const pathVar = host.env.PATH ?? host.env.Path ?? "";
  for (const dir of pathVar.split(p.delimiter)) {
    if (!dir) continue;
    for (const c of candidates(name, host)) {
      const full = p.join(dir, c);
      tried.push(full);
      if (host.isExecutable(full)) return full;
    }
  }
  return undefined;
}

/** Where `cargo install` puts binaries: $CARGO_HOME/bin, by default ~/.cargo/bin. */
export function cargoBinDir(host: Host): string {
  const p = pathApi(host.platform);
  const cargoHome = host.env.CARGO_HOME || p.join(host.homedir, ".cargo");
  return p.join(cargoHome, "bin");
}

/**
 * Finds the executable `name` (`gwk-lsp` or `gwk`).
 *
 * `setting` is the user's path setting: an absolute path; a path relative to
 * the first workspace folder; or a bare command name, looked up on PATH.
 * When it is set, it is the only place looked at.
 *
 * `bundled` is where a platform-specific package carries the executable
 * (the extension's `server/` directory): used last, so that a setting, or a
 * gwk-lsp the user installed on PATH, says otherwise.
 */
export function resolveExecutable(name: string, setting: string | undefined, host: Host, bundled?: string): Resolution {
  const p = pathApi(host.platform);
  const tried: string[] = [];
  const configured = setting ? expandVariables(setting, host) : "";
  if (configured) {
    const isBareName = !configured.includes("/") && !(host.platform === "win32" && configured.includes("\\"));
    if (isBareName) {
      const found = searchPath(configured, host, tried);
      return found ? { kind: "found", path: found, source: "setting" } : { kind: "bad-setting", setting: configured, tried };
    }
    const bases = p.isAbsolute(configured) ? [""] : host.workspaceFolders;
    for (const base of bases) {
      for (const c of candidates(base ? p.resolve(base, configured) : configured, host)) {
        tried.push(c);
        if (host.isExecutable(c)) return { kind: "found", path: c, source: "setting" };
      }
    }
    return { kind: "bad-setting", setting: configured, tried };
  }
  const onPath = searchPath(name, host, tried);
  if (onPath) {
    return { kind: "found", path: onPath, source: "PATH" };
  }
  // An editor started from a desktop menu often lacks ~/.cargo/bin on PATH
  // even though a terminal has it.
  for (const c of candidates(p.join(cargoBinDir(host), name), host)) {
    tried.push(c);
    if (host.isExecutable(c)) return { kind: "found", path: c, source: "cargo" };
  }
  if (bundled) {
    tried.push(bundled);
    if (host.isExecutable(bundled)) return { kind: "found", path: bundled, source: "bundled" };
  }
  return { kind: "not-found", tried };
}

export const REPOSITORY = "https://github.com/gwk-dev/gwk";

/** The command that installs `crate`, to show and copy. */
export function installCommand(crate: "gwk-lsp" | "gwk"): string {
  return `cargo install --locked --git ${REPOSITORY} ${crate}`;
}

/** Where the executable came from, in words (the status bar and the log say it). */
export function describeSource(source: Source, settingName: string): string {
  switch (source) {
    case "setting":
      return `from the ${settingName} setting`;
    case "PATH":
      return "found on PATH";
    case "cargo":
      return "installed by cargo";
    case "bundled":
      return "bundled with the extension";
  }
}

/**
 * The message shown when the executable cannot be found. `remote` is the
 * remote window's kind (vscode.env.remoteName), if any: there, a path set
 * in the user's local settings does not apply (the settings are
 * machine-overridable), which is the usual surprise.
 */
export function notFoundMessage(
  name: "gwk-lsp" | "gwk",
  settingName: string,
  r: Exclude<Resolution, { kind: "found" }>,
  cargoDir: string,
  remote?: string,
): string {
  if (r.kind === "bad-setting") {
    return `${settingName} is set to "${r.setting}", but no ${name} executable is there. Fix the setting, or clear it to look on PATH.`;
  }
  const where = remote ? ` (in this remote window, ${remote}, a ${settingName} in your user settings does not apply: set it in the workspace or Remote settings)` : "";
  return `${name} was not found: ${settingName} is not set${where}, and there is none on PATH${name === "gwk-lsp" ? `, in ${cargoDir} or bundled with the extension` : ` nor in ${cargoDir}`}. Install it with \`${installCommand(name)}\` (or \`cargo install --path crates/${name}\` in a clone of gwk), or set ${settingName}.`;
}
