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

-- Fix the call with the server's quick fix: put the cursor on `ech` (byte column 35, after
-- "é😀"), request code actions for the line's diagnostics as neovim's own code action menu does,
-- and apply the edit. neovim then sends the edit to the server as an incremental change.
vim.api.nvim_win_set_cursor(0, { 7, 35 })
local client = vim.lsp.get_client_by_id(client_id)
local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buffer, 6) }
local responses = vim.lsp.buf_request_sync(buffer, "textDocument/codeAction", params, timeout_ms)
local actions = {}
for _, response in pairs(responses or {}) do
  for _, action in ipairs(response.result or {}) do table.insert(actions, action) end
end
table.insert(output, string.format("%d code action(s)", #actions))
if #actions > 0 then
  table.insert(output, "action: " .. actions[1].title .. " (" .. actions[1].kind .. ")")
  vim.lsp.util.apply_workspace_edit(actions[1].edit, client.offset_encoding)
end
table.insert(output, "line 6: " .. vim.api.nvim_buf_get_lines(buffer, 6, 7, false)[1])
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
