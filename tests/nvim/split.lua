-- Neovim 0.7 (Debian's): open a Dockerfile, attach `dfsplit lsp`, wait for its
-- diagnostics, ask for the code actions at the first line, apply "Split into
-- multi-stage build (dfsplit)" through Neovim's own workspace-edit code, write
-- the file, stop the server and quit. Run by tests/lsp_nvim.rs:
--   DFSPLIT_BIN=… DFSPLIT_FILE=… nvim --headless --clean -u NONE -c 'luafile tests/nvim/split.lua'
-- Exit status 0 when the action was applied and written; otherwise a message
-- on stderr and exit 1.

local bin = os.getenv('DFSPLIT_BIN')
local file = os.getenv('DFSPLIT_FILE')
local TITLE = 'Split into multi-stage build (dfsplit)'

local function fail(msg)
  io.stderr:write('nvim: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'dfsplit',
  cmd = { bin, 'lsp' },
  root_dir = vim.fn.fnamemodify(file, ':p:h'),
})
if not id then
  fail('vim.lsp.start_client failed')
end
vim.lsp.buf_attach_client(buf, id)

-- The server publishes diagnostics right after didOpen; a file dfsplit can
-- split has at least its core/split information.
if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
  fail('no diagnostics within 20 s')
end
local client = vim.lsp.get_client_by_id(id)

vim.api.nvim_win_set_cursor(0, { 1, 0 })
local params = vim.lsp.util.make_range_params()
params.context = { diagnostics = {} }
local resp, err = client.request_sync('textDocument/codeAction', params, 20000, buf)
if not resp then
  fail('no answer to textDocument/codeAction: ' .. tostring(err))
end
if resp.err then
  fail('textDocument/codeAction failed: ' .. vim.inspect(resp.err))
end
local action
for _, a in ipairs(resp.result or {}) do
  if a.title == TITLE then
    action = a
  end
end
if not action then
  fail('no "' .. TITLE .. '" action in ' .. vim.inspect(resp.result))
end
if action.isPreferred then
  fail('the split action must not be preferred')
end

vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
vim.cmd('write')

client.stop()
vim.wait(5000, function() return client.is_stopped() end, 20)
vim.cmd('qall!')
