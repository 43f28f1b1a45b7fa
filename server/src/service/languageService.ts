// The gateway YAML language service: plain functions from a document (and a position) to LSP types, over one
// cached analysis per document version. It knows nothing of connections; server.ts wires it to the editor.
import type {
  CodeAction,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  Position,
  Range,
  SelectionRange,
  WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { checkConfig } from '../../../common/src/config';
import type { Lsp } from '../../../common/src/protocol';
import { AnalysisCache, type AnalysisOptions, type GatewayAnalysis } from './analysis';
import { codeActions } from './codeActions';
import { doComplete } from './completion';
import { validate } from './diagnostics';
import { isGatewayDocument } from './documentSelection';
import { documentModel } from './documentModel';
import { doHover } from './hover';
import { findDefinition, findReferences, prepareRename, rename } from './navigation';
import { documentSymbols, foldingRanges, selectionRanges } from './outline';
import { validateForStart } from './startValidation';

export type LanguageServiceOptions = Partial<AnalysisOptions>;

export interface GatewayLanguageService {
  configure(options: LanguageServiceOptions): void;
  isGatewayDocument(document: TextDocument): boolean;
  analyze(document: TextDocument): GatewayAnalysis;
  doValidation(document: TextDocument): Diagnostic[];
  /**
   * `doValidation` analyzed in steps of a few milliseconds, letting other requests in between; undefined when a newer
   * version of the document replaced this one meanwhile (its diagnostics would be stale).
   */
  doValidationInSteps(document: TextDocument): Promise<Diagnostic[] | undefined>;
  /** Work the first edit of the document would otherwise do first, in steps (the server runs it after an open's diagnostics). */
  prepareForEdits(document: TextDocument): Promise<void>;
  doComplete(document: TextDocument, position: Position): CompletionList;
  doHover(document: TextDocument, position: Position): Hover | null;
  findDocumentSymbols(document: TextDocument): DocumentSymbol[];
  getFoldingRanges(document: TextDocument): FoldingRange[];
  getSelectionRanges(document: TextDocument, positions: Position[]): SelectionRange[];
  getCodeActions(document: TextDocument, range: Range, diagnostics: Diagnostic[]): CodeAction[];
  findDefinition(document: TextDocument, position: Position): Location[];
  findReferences(document: TextDocument, position: Position): Location[];
  prepareRename(document: TextDocument, position: Position): { range: Range; placeholder: string } | null;
  /** Throws `RequestRefused` (with a message for the user) for a new name the config cannot take. */
  doRename(document: TextDocument, position: Position, newName: string): WorkspaceEdit | null;
  /** The routes (with ranges) and listen address the extension shows, from this version's analysis. */
  getDocumentModel(document: TextDocument): Lsp.DocumentModel;
  /** The document judged as the gateway's start judges it (the "Validate Config" command). */
  validateForStart(document: TextDocument): Lsp.Validation;
  forget(uri: string): void;
}

/** Lets the event loop run whatever is waiting (other requests) before the next step of an analysis. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createLanguageService(initial: LanguageServiceOptions = {}): GatewayLanguageService {
  let options: LanguageServiceOptions = initial;
  const analysisOptions = (): AnalysisOptions => ({ env: options.env ?? process.env, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
  const cache = new AnalysisCache(analysisOptions);
  const analyze = (document: TextDocument) => cache.get(document);
  return {
    configure: (next) => {
      options = { ...options, ...next };
    },
    isGatewayDocument: (document) => isGatewayDocument(document.languageId, document.uri, document.getText().slice(0, 4096)),
    analyze,
    doValidation: (document) => validate(analyze(document)),
    doValidationInSteps: async (document) => {
      const analysis = await cache.getInSteps(document, nextTurn);
      return analysis && validate(analysis);
    },
    prepareForEdits: (document) => cache.prepareForEdits(document, nextTurn),
    // Completion reads the cursor's context from the text; the route list may come from the previous version.
    doComplete: (document, position) => doComplete(document, position, cache.latest(document.uri), analysisOptions().env, () => analyze(document)),
    doHover: (document, position) => doHover(document, position, analyze(document), analysisOptions().env),
    findDocumentSymbols: (document) => documentSymbols(document, analyze(document)),
    getFoldingRanges: (document) => foldingRanges(document, analyze(document)),
    getSelectionRanges: (document, positions) => selectionRanges(document, positions, analyze(document)),
    getCodeActions: (document, range, diagnostics) => codeActions(document, range, diagnostics, analyze(document)),
    findDefinition: (document, position) => findDefinition(document, position, analyze(document)),
    findReferences: (document, position) => findReferences(document, position, analyze(document)),
    prepareRename: (document, position) => prepareRename(document, position, analyze(document)),
    doRename: (document, position, newName) =>
      rename(document, position, newName, analyze(document), (text) => checkConfig(text, { env: analysisOptions().env, mode: 'editor' }).diagnostics),
    getDocumentModel: (document) => documentModel(document, analyze(document), analysisOptions().env),
    validateForStart: (document) => validateForStart(document, analysisOptions().env),
    forget: (uri) => cache.forget(uri),
  };
}

export { RequestRefused } from './refusal';
