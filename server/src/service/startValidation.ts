// The "Validate Config" command's answer: the document judged as `ai-gateway-cli validate` and the gateway's start judge
// it (unset environment variables are errors there, warnings while typing), in the lines `validate` prints.
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { checkConfig, formatDiagnostic } from '../../../common/src/config';
import type { Lsp } from '../../../common/src/protocol';

/** A fresh check in start mode, on an explicit request (the editor's analysis runs in editor mode). */
export function validateForStart(document: TextDocument, env: Record<string, string | undefined>): Lsp.Validation {
  const { diagnostics } = checkConfig(document.getText(), { env, mode: 'start' });
  const file = document.uri.startsWith('file:') ? fileURLToPath(document.uri) : document.uri;
  return { uri: document.uri, version: document.version, diagnostics, lines: diagnostics.map((d) => formatDiagnostic(file, d)) };
}
