-- Run by nvim_lsp_test.sh inside `nvim --headless --clean -u NONE`. Written for neovim 0.7.2
-- (Debian 12): vim.lsp.start arrived in 0.8, so the client is started with start_client.
local server = vim.split(os.getenv("KFPC_LSP_SERVER"), "\t", { trimempty = true })
local file = os.getenv("KFPC_NVIM_FILE")
local output_path = os.getenv("KFPC_NVIM_OUTPUT")
local timeout_ms = 10000
local output = {}

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buffer = vim.api.nvim_get_current_buf()

local exit_code = nil
local client_id = vim.lsp.start_client({
  name = "kfpc",
  cmd = server,
  root_dir = vim.fn.fnamemodify(file, ":h"),
  on_exit = function(code) exit_code = code end,
})
if not client_id then
  vim.fn.writefile({ "failed to start the server: " .. table.concat(server, " ") }, output_path)
  vim.cmd("qall!")
end
vim.lsp.buf_attach_client(buffer, client_id)

local function diagnostics() return vim.diagnostic.get(buffer) end

if not vim.wait(timeout_ms, function() return #diagnostics() > 0 end, 20) then
  table.insert(output, "timed out waiting for diagnostics")
end
for _, diagnostic in ipairs(diagnostics()) do
  local message = diagnostic.message:gsub("\n", " | ")
  table.insert(output, string.format("%d:%d: %s: %s", diagnostic.lnum, diagnostic.col,
                                     diagnostic.code or "", message))
end

-- Fix the call: `ech` becomes `echo`. neovim sends the edit as an incremental change.
vim.api.nvim_buf_set_lines(buffer, 6, 7, false,
                           { '  x = echo(message = "é😀") y = echo(message = "x")' })
if vim.wait(timeout_ms, function() return #diagnostics() == 0 end, 20) then
  table.insert(output, "cleared")
else
  table.insert(output, "timed out waiting for the diagnostics to clear")
end

vim.lsp.stop_client(client_id)
vim.wait(timeout_ms, function() return exit_code ~= nil end, 20)
table.insert(output, "server exit code " .. tostring(exit_code))
vim.fn.writefile(output, output_path)
vim.cmd("qall!")
