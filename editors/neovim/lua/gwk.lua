-- gwk-lsp in Neovim, with the built-in client only (Neovim 0.7 and later;
-- no plugins). Gradient workflows are the YAML files under
-- `.gradient/workflows/`; the server attaches to those buffers only.
--
--   1. Put `gwk-lsp` on your PATH (or pass `cmd` below).
--   2. Put this file on your runtimepath as lua/gwk.lua, e.g.
--      ~/.config/nvim/lua/gwk.lua (or add this directory, editors/neovim,
--      to 'runtimepath').
--   3. In init.lua:  require('gwk').setup()
--      or with options: require('gwk').setup({ cmd = { '/path/to/gwk-lsp' } })
--
-- Uses vim.lsp.start_client + vim.lsp.buf_attach_client (vim.lsp.start
-- came in 0.8), and autocommands on the file path, so it works without
-- filetype detection too.

local M = {}

M.options = {
  cmd = { 'gwk-lsp' },
  -- Which files are Gradient workflows. In autocommand patterns `*` also
  -- matches `/`, so these take workflows at any depth under workflows/.
  patterns = { '*/.gradient/workflows/*.yaml', '*/.gradient/workflows/*.yml' },
  -- Sent as initializationOptions (see docs/lsp.md): diagnostics = 'auto'
  -- | 'push' | 'pull', inlayHints = true | false.
  init_options = {},
  -- Called with (client, bufnr) when the server attaches to a buffer.
  on_attach = nil,
}

-- One client per project root.
local clients = {}

-- The directory that holds `.gradient/`, else the one with gwk.toml,
-- else the file's own directory (for files other `patterns` take).
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local gradient = dir:match('^(.*)/%.gradient/')
  if gradient then
    return gradient
  end
  local toml = vim.fn.findfile('gwk.toml', dir .. ';')
  if toml ~= '' then
    return vim.fn.fnamemodify(toml, ':p:h')
  end
  return dir
end

function M.attach(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    return
  end
  local root = M.root_dir(path)
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = 'gwk',
      cmd = M.options.cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      init_options = M.options.init_options,
      on_attach = M.options.on_attach,
    })
    if id == nil then
      vim.notify('gwk: could not start ' .. table.concat(M.options.cmd, ' '), vim.log.levels.ERROR)
      return
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', M.options, opts or {})
  local group = vim.api.nvim_create_augroup('gwk_lsp', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    pattern = M.options.patterns,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
end

return M
