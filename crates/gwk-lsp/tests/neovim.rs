//! With a real editor: headless Neovim (Debian's `neovim`, installed by
//! scripts/setup/40-neovim.sh) set up exactly as editors/neovim/lua/gwk.lua
//! documents, with `gwk-lsp` on its PATH. It opens a workflow under
//! `.gradient/workflows/`, waits for diagnostics, asks for completion at a
//! reference, and writes what it received to a JSON file this test reads.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = r#"
local out = { diagnostics = {}, completion = {}, errors = {} }
local ok, err = pcall(function()
  vim.opt.runtimepath:append(vim.env.GWK_NVIM_DIR)
  require('gwk').setup()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.GWK_FILE))
  local buf = vim.api.nvim_get_current_buf()
  local seen = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  out.waited = seen
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(out.diagnostics, {
      code = code, message = d.message, lnum = d.lnum, col = d.col,
      severity = d.severity, source = d.source,
    })
  end
  local clients = vim.lsp.buf_get_clients(buf)
  for _, c in pairs(clients) do
    out.client = c.name
    out.offset_encoding = c.offset_encoding
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = tonumber(vim.env.GWK_LINE), character = tonumber(vim.env.GWK_COL) },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 20000)
  for _, r in pairs(responses or {}) do
    if r.err then table.insert(out.errors, vim.inspect(r.err)) end
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do
      table.insert(out.completion, { label = item.label, detail = item.detail })
    end
  end
  -- The lspconfig snippet at least compiles (the plugin is not in Debian).
  assert(loadfile(vim.env.GWK_NVIM_DIR .. '/lspconfig.lua'))
  -- It runs against a stand-in for the plugin, and its root_dir takes the
  -- files lua/gwk.lua's autocommands attach to, with the same root.
  local registered
  package.preload['lspconfig.configs'] = function()
    return setmetatable({}, { __newindex = function(t, k, v) rawset(t, k, v); registered = v end })
  end
  package.preload['lspconfig'] = function() return { gwk = { setup = function() end } } end
  dofile(vim.env.GWK_NVIM_DIR .. '/lspconfig.lua')
  local gwk = require('gwk')
  local real_attach, attached = gwk.attach, false
  gwk.attach = function() attached = true end
  out.roots = {}
  for _, p in ipairs(vim.fn.json_decode(vim.env.GWK_PATHS)) do
    attached = false
    vim.cmd('doautocmd BufNewFile ' .. vim.fn.fnameescape(p))
    table.insert(out.roots, {
      path = p,
      lspconfig = registered.default_config.root_dir(p) or vim.NIL,
      attaches = attached,
      root = attached and gwk.root_dir(p) or vim.NIL,
    })
  end
  gwk.attach = real_attach
end)
if not ok then table.insert(out.errors, tostring(err)) end
local f = io.open(vim.env.GWK_OUT, 'w')
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
"#;

/// Paths (which need not exist) and the root both Neovim setups give them:
/// `None` means neither attaches.
const ROOT_CASES: [(&str, Option<&str>); 6] = [
    ("/p/.gradient/workflows/train.yaml", Some("/p")),
    ("/p/.gradient/workflows/team/nested/eval.yml", Some("/p")),
    ("/p/sub/.gradient/workflows/a.yaml", Some("/p/sub")),
    ("/p/.gradient/other.yaml", None),
    ("/p/ci/workflows/train.yaml", None),
    ("/p/.gradient/workflows/notes.md", None),
];

#[test]
fn neovim_gets_diagnostics_and_completion() {
    if Command::new("nvim").arg("--version").output().is_err() {
        let msg = "nvim is not installed: scripts/setup/40-neovim.sh installs Debian's neovim";
        if std::env::var_os("CI").is_some() {
            panic!("{msg}");
        }
        eprintln!("SKIPPED neovim_gets_diagnostics_and_completion: {msg}");
        return;
    }
    let ws = Workspace::new();
    let text = PIPELINE.replace(
        "data: Prepare.outputs.prepared",
        "data: Prepare.outputs.prepard",
    );
    let file = ws.write(".gradient/workflows/pipeline.yaml", &text);
    let script = ws.write("test.lua", SCRIPT);
    let out = ws.root().join("out.json");
    let pos = position_after(&text, "data: Prepare.outputs.");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin_dir = Path::new(binary()).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(ws.root())
        .env("PATH", path)
        .env("GWK_NVIM_DIR", repo.join("editors/neovim"))
        .env("GWK_FILE", &file)
        .env("GWK_OUT", &out)
        .env("GWK_LINE", pos["line"].to_string())
        .env("GWK_COL", pos["character"].to_string())
        .env(
            "GWK_PATHS",
            serde_json::json!(ROOT_CASES.map(|(p, _)| p)).to_string(),
        )
        .env("HOME", ws.root())
        .env("XDG_STATE_HOME", ws.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let got: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the script wrote its results"))
            .unwrap();
    assert_eq!(got["errors"], serde_json::json!([]), "{got}");
    assert_eq!(got["client"], "gwk");
    assert_eq!(got["offset_encoding"], "utf-16");
    let diags = got["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{got}");
    let d = &diags[0];
    assert_eq!(d["code"], "unknown-output");
    assert_eq!(d["source"], "gwk");
    assert_eq!(d["lnum"], pos["line"]);
    assert_eq!(d["col"], pos["character"]);
    assert_eq!(
        d["message"],
        "job `Prepare` has no output `prepard`; did you mean `prepared`?"
    );
    let labels: Vec<&str> = got["completion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["prepared"], "{got}");
    assert_eq!(got["completion"][0]["detail"], "volume output of Prepare");
    let roots = got["roots"].as_array().unwrap();
    assert_eq!(roots.len(), ROOT_CASES.len(), "{got}");
    for (r, (path, root)) in roots.iter().zip(ROOT_CASES) {
        let want = serde_json::json!(root);
        assert_eq!(r["lspconfig"], want, "lspconfig.lua's root_dir for {path}");
        assert_eq!(
            r["attaches"],
            root.is_some(),
            "lua/gwk.lua's autocommands for {path}"
        );
        assert_eq!(r["root"], want, "lua/gwk.lua's root for {path}");
    }
}
