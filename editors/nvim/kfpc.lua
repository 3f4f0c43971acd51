-- Starts `kfpc lsp` for .kf buffers in neovim 0.7 or later, one server per session. Copy this
-- file to ~/.config/nvim/plugin/kfpc.lua; `kfpc` must be on PATH.
vim.cmd([[autocmd BufRead,BufNewFile *.kf setfiletype kf]])

local client_id = nil

vim.api.nvim_create_autocmd("FileType", {
  pattern = "kf",
  callback = function(args)
    if not client_id or vim.lsp.client_is_stopped(client_id) then
      client_id = vim.lsp.start_client({
        name = "kfpc",
        cmd = { "kfpc", "lsp" },
        root_dir = vim.fn.getcwd(),
      })
    end
    if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
  end,
})
