// Puts a built gwk-lsp into the extension (server/gwk-lsp, or gwk-lsp.exe
// for Windows), for a platform-specific package:
//
//   node scripts/bundle-server.mjs PATH/TO/gwk-lsp      (or npm run bundle-server -- PATH)
//   npx vsce package --no-dependencies --target linux-x64 --out dist/gwk-linux-x64.vsix
//
//   node scripts/bundle-server.mjs --remove             (npm run package does this first,
//                                                        so the universal .vsix has no server)
//
// The file name follows the binary's (a `.exe` stays `.exe`), because the
// extension looks for server/gwk-lsp.exe on Windows and server/gwk-lsp
// elsewhere. The binary is not run here: a release builds every target on
// one machine. server/ is gitignored.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..", "server");
const arg = process.argv[2];

function fail(message) {
  console.error(`bundle-server: ${message}`);
  process.exit(1);
}

if (arg === undefined || arg === "-h" || arg === "--help") {
  console.error("usage: node scripts/bundle-server.mjs PATH/TO/gwk-lsp[.exe] | --remove");
  process.exit(arg === undefined ? 2 : 0);
}
rmSync(serverDir, { recursive: true, force: true });
if (arg === "--remove") {
  console.log("bundle-server: no server bundled (server/ removed)");
  process.exit(0);
}

let size;
try {
  const st = statSync(arg);
  if (!st.isFile()) fail(`${arg} is not a file`);
  size = st.size;
} catch (err) {
  fail(`cannot read ${arg}: ${err.code ?? err.message}`);
}
// An executable, not a script or a text file by mistake: ELF, Mach-O (both
// byte orders, and universal), or PE.
const magic = readFileSync(arg).subarray(0, 4);
const isElf = magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
const isMachO = [0xfeedfacf, 0xcffaedfe, 0xfeedface, 0xcefaedfe, 0xcafebabe].includes(magic.readUInt32BE(0));
const isPe = magic[0] === 0x4d && magic[1] === 0x5a;
if (!isElf && !isMachO && !isPe) fail(`${arg} is not an executable (ELF, Mach-O or PE)`);
const name = basename(arg).toLowerCase().endsWith(".exe") || isPe ? "gwk-lsp.exe" : "gwk-lsp";

mkdirSync(serverDir, { recursive: true });
const target = join(serverDir, name);
copyFileSync(arg, target);
chmodSync(target, 0o755);
console.log(`bundle-server: ${arg} -> server/${name} (${(size / 1048576).toFixed(1)} MiB)`);
