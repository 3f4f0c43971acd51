// Starts `kfpc lsp` for .kf files through vscode-languageclient. The server is the same front end
// as `kfpc build`, so the editor shows exactly the diagnostics the compiler reports.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function createClient() {
  const command = vscode.workspace.getConfiguration('kfpc').get('path') || 'kfpc';
  const serverOptions = { command, args: ['lsp'], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'kf' },
      { scheme: 'untitled', language: 'kf' },
    ],
  };
  return new LanguageClient('kfpc', 'kfpc', serverOptions, clientOptions);
}

async function startClient() {
  client = createClient();
  try {
    await client.start();
  } catch (error) {
    const command = vscode.workspace.getConfiguration('kfpc').get('path') || 'kfpc';
    vscode.window.showErrorMessage(
      `kfpc: failed to start the language server \`${command} lsp\`: ${error.message}. ` +
        'Set `kfpc.path` to the kfpc executable.');
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('kfpc.path')) return;
      if (client) await client.stop().catch(() => undefined);
      await startClient();
    }));
  await startClient();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
