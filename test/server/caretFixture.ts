// Documents for language service tests: a fixture whose `|` marks the cursor, and applying a proposed edit.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, WorkspaceEdit } from 'vscode-languageserver';

/** One counter for every document made here: the service caches an analysis by uri and version. */
let version = 0;

/** A document from a fixture whose `|` marks the cursor (the first `|`; the text has none of its own). */
export function at(textWithCaret: string, uri = 'file:///w/ai-gateway.yaml'): { document: TextDocument; position: { line: number; character: number } } {
  const offset = textWithCaret.indexOf('|');
  const text = offset >= 0 ? textWithCaret.slice(0, offset) + textWithCaret.slice(offset + 1) : textWithCaret;
  const document = TextDocument.create(uri, 'yaml', ++version, text);
  return { document, position: document.positionAt(Math.max(offset, 0)) };
}

/** The document after a code action's or a rename's edits. */
export function applyEdit(document: TextDocument, edit: CodeAction | WorkspaceEdit | null | undefined): TextDocument {
  const changes = (edit && 'edit' in edit ? edit.edit?.changes : (edit as WorkspaceEdit | null)?.changes)?.[document.uri];
  if (!changes) throw new Error('no edits for this document');
  return TextDocument.create(document.uri, 'yaml', ++version, TextDocument.applyEdits(document, changes));
}
