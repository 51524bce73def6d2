import assert from "node:assert/strict";
import { test } from "node:test";
import { displayCommand, planInvocation, runInvocation } from "../src/cli";

test("plan runs `gwk plan FILE` in the workspace folder", () => {
  assert.deepEqual(planInvocation("/bin/gwk", "/w/.gradient/workflows/a.yaml", "/w"), {
    command: "/bin/gwk",
    args: ["plan", "/w/.gradient/workflows/a.yaml"],
    cwd: "/w",
  });
});

test("outside a workspace, the file's directory is the working directory", () => {
  assert.equal(planInvocation("gwk", "/tmp/x/wf.yaml", undefined).cwd, "/tmp/x");
});

test("run passes the extra arguments before the file", () => {
  assert.deepEqual(runInvocation("gwk", "/w/a.yaml", "/w", ["--keep"]).args, ["run", "--keep", "/w/a.yaml"]);
});

test("the shown command line is quoted for a POSIX shell", () => {
  assert.equal(displayCommand({ command: "gwk", args: ["plan", "/w/my flow's.yaml"], cwd: "/" }), "gwk plan '/w/my flow'\\''s.yaml'");
  assert.equal(displayCommand({ command: "gwk", args: ["plan", "/w/a.yaml"], cwd: "/" }), "gwk plan /w/a.yaml");
});
