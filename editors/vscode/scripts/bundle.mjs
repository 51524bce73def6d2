// Bundles with esbuild:
//   (default)   the extension (Node, CommonJS; `vscode` is the editor's) and
//               the graph webview's script (browser IIFE), into dist/;
//   --tests     each test file (test/, render/, built/, cli/, contract/*.test.ts) into out/,
//               for node's test runner (no VS Code needed).
import { readdirSync } from "node:fs";
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: "warning" };

if (process.argv.includes("--tests")) {
  const tests = ["test", "render", "contract", "built", "cli"].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => `${dir}/${f}`),
  );
  await esbuild.build({
    ...common,
    entryPoints: tests,
    outdir: "out",
    outbase: ".",
    platform: "node",
    format: "cjs",
    target: "node20",
    // Loaded at run time from node_modules, not bundled.
    external: ["playwright-core"],
  });
} else {
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ["src/extension.ts"],
      outfile: "dist/extension.js",
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["vscode"],
    }),
    esbuild.build({
      ...common,
      entryPoints: ["src/webview/main.ts"],
      outfile: "dist/webview.js",
      platform: "browser",
      format: "iife",
      target: "chrome120",
    }),
  ]);
}
