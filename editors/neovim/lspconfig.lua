-- gwk-lsp through nvim-lspconfig (https://github.com/neovim/nvim-lspconfig),
-- for those who use it. Paste into init.lua after lspconfig is loaded.
-- Without lspconfig, use lua/gwk.lua beside this file instead.

local configs = require('lspconfig.configs')

if not configs.gwk then
  configs.gwk = {
    default_config = {
      cmd = { 'gwk-lsp' },
      filetypes = { 'yaml' },
      -- Only Gradient workflows, at any depth under .gradient/workflows/: a
      -- root (the directory holding .gradient/, as lua/gwk.lua has it) is
      -- returned, and the server attached, for those files alone.
      root_dir = function(fname)
        return fname:match('^(.*)/%.gradient/workflows/.+%.ya?ml$')
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
