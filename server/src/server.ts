// The AI Gateway language server: wires the pure language service (./service) to vscode-languageserver over stdio.
// Run as `node out/server/src/server.js --stdio` (or the bundled dist/server.js the extension spawns).
import {
  createConnection,
  LSPErrorCodes,
  NotificationType,
  ProposedFeatures,
  RequestType,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CheckMemo, checkConfig, YamlParseCache } from '../../common/src/config';
import { Lsp, type LspNotification, type LspRequest } from '../../common/src/protocol';
import { createLanguageService, RequestRefused } from './service/languageService';

const WARMUP_CONFIG = [
  '# warm-up',
  'gateway:',
  '  listen: 127.0.0.1:8080',
  'routes:',
  ...Array.from(
    { length: 50 },
    (_, i) =>
      `  - name: r${i}\n    path: /v1/r${i}\n    methods: [POST]\n    targets:\n      - url: http://127.0.0.1:9000\n        weight: 2\n    timeout: 30s`,
  ),
  'security:',
  ...Array.from({ length: 50 }, (_, i) => `  - endpoint: /v1/r${i}\n    auth: none\n    rateLimit: 100/min`),
].join('\n');

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const service = createLanguageService();

const requestType = <P, R>(message: LspRequest<P, R>) => new RequestType<P, R, void>(message.method);
const notificationType = <P>(message: LspNotification<P>) => new NotificationType<P>(message.method);
const analysisChanged = notificationType(Lsp.AnalysisChangedNotification.type);

/** Every request answers, whatever the document holds: a refusal is its error, a failure is logged and the answer is empty. */
function guarded<A extends unknown[], R>(empty: R, handler: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return handler(...args);
    } catch (err) {
      if (err instanceof RequestRefused) throw new ResponseError(LSPErrorCodes.RequestFailed, err.message);
      connection.console.error(`ai-gateway language server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return empty;
    }
  };
}

const gatewayDocument = (uri: string): TextDocument | undefined => {
  const document = documents.get(uri);
  return document && service.isGatewayDocument(document) ? document : undefined;
};

// Validation runs shortly after the last change; changes that arrive while it runs are coalesced into the next one.
// It runs in steps, so requests (for this document or others) are answered while a large document is analyzed.
const VALIDATION_DELAY_MS = 15;
const pending = new Map<string, NodeJS.Timeout>();
function scheduleValidation(uri: string, delay: number): void {
  clearTimeout(pending.get(uri));
  pending.set(
    uri,
    setTimeout(() => {
      pending.delete(uri);
      void validateDocument(uri);
    }, delay),
  );
}

async function validateDocument(uri: string): Promise<void> {
  const document = documents.get(uri);
  if (!document) return;
  if (!service.isGatewayDocument(document)) {
    void connection.sendDiagnostics({ uri, diagnostics: [] });
    return;
  }
  const version = document.version;
  let diagnostics: Diagnostic[] | undefined;
  try {
    diagnostics = await service.doValidationInSteps(document);
  } catch (err) {
    connection.console.error(`ai-gateway language server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    diagnostics = [];
  }
  // A newer version (or a close) arrived meanwhile: its own validation publishes.
  if (diagnostics === undefined || documents.get(uri)?.version !== version) return;
  void connection.sendDiagnostics({ uri, version, diagnostics });
  // The extension's views ask for what they show of this version (answered from the analysis just made).
  void connection.sendNotification(analysisChanged, { uri, version });
  // After an open, what the first edit would do first is done now, while the user reads (nothing after an edit);
  // from the next turn, once the diagnostics are written.
  setImmediate(() => {
    service.prepareForEdits(document).catch((err: unknown) => {
      connection.console.error(`ai-gateway language server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  });
}

/** Analyses of the warm-up config: V8 optimizes the parser after a few runs of it, not after one. */
const WARMUP_ANALYSES = 3;
/**
 * The warm-up config is plain block YAML, read by the config model's block reader; this variant (a flow mapping) is
 * not, and warms yaml's own parser up for the documents that need it.
 */
const WARMUP_CONFIG_FOR_YAML = WARMUP_CONFIG.replace('gateway:\n  listen: 127.0.0.1:8080', 'gateway: { listen: 127.0.0.1:8080 }');
/** Edits of it checked as an editor checks them: the first keystrokes in a large document then run warm code too. */
const WARMUP_EDITS = 10;

/**
 * The check after an edit runs code a first check does not (cutting again, re-using chunks, the memo's hits). With the
 * config model directly: the service parses a document this small whole, where a large one is parsed in chunks.
 */
function warmUpEdits(): void {
  const options = { env: {}, mode: 'editor' as const, parseCache: new YamlParseCache(0, 0), memo: new CheckMemo() };
  checkConfig(WARMUP_CONFIG, options);
  for (let i = 0; i < WARMUP_EDITS; i++) {
    const at = WARMUP_CONFIG.indexOf(`name: r${i % 50}\n`) + `name: r${i % 50}`.length;
    checkConfig(i % 2 === 0 ? `${WARMUP_CONFIG.slice(0, at)}x${WARMUP_CONFIG.slice(at)}` : WARMUP_CONFIG, options);
  }
}

/**
 * Compiles the schema validator and warms the parser and the features up, so the first document is not analyzed by
 * cold code. Its time is logged, so a bench can report it apart from the first open.
 */
function warmUp(): void {
  const started = performance.now();
  const warm = TextDocument.create('warmup://ai-gateway.yaml', 'yaml', 0, WARMUP_CONFIG);
  const warmForYaml = TextDocument.create('warmup://ai-gateway-flow.yaml', 'yaml', 0, WARMUP_CONFIG_FOR_YAML);
  for (let i = 0; i < WARMUP_ANALYSES; i++) {
    for (const document of [warm, warmForYaml]) {
      service.forget(document.uri);
      service.analyze(document);
    }
  }
  service.forget(warmForYaml.uri);
  warmUpEdits();
  // The outline and a hover on a route build the route index and the typed config, which an analysis builds only when asked.
  service.findDocumentSymbols(warm);
  service.doHover(warm, { line: 4, character: 6 });
  service.forget(warm.uri);
  connection.console.info(`warm-up: ${(performance.now() - started).toFixed(0)} ms`);
}

// The answer to initialize waits for the warm-up (usually while the workspace opens, before a config is opened).
connection.onInitialize((): InitializeResult => {
  guarded(undefined, warmUp)();
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', ' ', '-', '{', '/'] },
      hoverProvider: true,
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      selectionRangeProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite'] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
    },
    serverInfo: { name: 'ai-gateway-language-server' },
  };
});

// TextDocuments fires onDidChangeContent synchronously right after onDidOpen: that one must not turn the open's
// immediate validation into a debounced one, so only the changes after it wait.
const justOpened = new Set<string>();
documents.onDidOpen((e) => {
  justOpened.add(e.document.uri);
  scheduleValidation(e.document.uri, 0);
});
documents.onDidChangeContent((e) => {
  if (justOpened.delete(e.document.uri)) return;
  scheduleValidation(e.document.uri, VALIDATION_DELAY_MS);
});
documents.onDidClose((e) => {
  justOpened.delete(e.document.uri);
  clearTimeout(pending.get(e.document.uri));
  pending.delete(e.document.uri);
  service.forget(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onCompletion(
  guarded(null, (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.doComplete(d, p.position) : null;
  }),
);
connection.onHover(
  guarded(null, (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.doHover(d, p.position) : null;
  }),
);
connection.onDocumentSymbol(
  guarded([], (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.findDocumentSymbols(d) : [];
  }),
);
connection.onFoldingRanges(
  guarded([], (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.getFoldingRanges(d) : [];
  }),
);
connection.onSelectionRanges(
  guarded([], (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.getSelectionRanges(d, p.positions) : [];
  }),
);
connection.onCodeAction(
  guarded([], (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.getCodeActions(d, p.range, p.context.diagnostics) : [];
  }),
);
connection.onDefinition(
  guarded([], (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.findDefinition(d, p.position) : [];
  }),
);
connection.onReferences(
  guarded([], (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.findReferences(d, p.position) : [];
  }),
);
connection.onPrepareRename(
  guarded(null, (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.prepareRename(d, p.position) : null;
  }),
);
connection.onRenameRequest(
  guarded(null, (p) => {
    const d = gatewayDocument(p.textDocument.uri);
    return d ? service.doRename(d, p.position, p.newName) : null;
  }),
);

connection.onRequest(
  requestType(Lsp.DocumentModelRequest.type),
  guarded(null, (p) => {
    const d = gatewayDocument(p.uri);
    return d ? service.getDocumentModel(d) : null;
  }),
);
connection.onRequest(
  requestType(Lsp.ValidateRequest.type),
  guarded(null, (p) => {
    const d = gatewayDocument(p.uri);
    return d ? service.validateForStart(d) : null;
  }),
);

documents.listen(connection);
connection.listen();
