-- gwk-lsp through nvim-lspconfig (https://github.com/neovim/nvim-lspconfig),
-- for those who use it. Paste into init.lua after lspconfig is loaded.
-- Without lspconfig, use lua/gwk.lua beside this file instead.

local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.gwk then
  configs.gwk = {
    default_config = {
      cmd = { 'gwk-lsp' },
      filetypes = { 'yaml' },
      -- Only Gradient workflows: a root is returned (and the server
      -- attached) for files under .gradient/workflows/ alone.
      root_dir = function(fname)
        if not fname:match('/%.gradient/workflows/[^/]+%.ya?ml$') then
          return nil
        end
        return util.root_pattern('.gradient', 'gwk.toml')(fname)
      end,
      single_file_support = false,
      -- diagnostics = 'auto' | 'push' | 'pull', inlayHints = true | false
      init_options = {},
    },
    docs = {
      description = 'gwk-lsp: checks, completion and navigation for Paperspace Gradient workflows (docs/lsp.md).',
    },
  }
end

require('lspconfig').gwk.setup({})
