// The node flags the extension starts the language server with (and the tests and `bench:lsp`, so they measure what
// ships). Opening a large config builds a syntax tree that survives until it is composed: V8's young generation
// starts at 1 MB and grows step by step, so the first open paid ~27 scavenges, each copying the tree built so far.
// Starting it at 16 MB semi-spaces took the 2,000-route open from 0.50-0.52x to 0.38-0.40x of yaml-language-server's
// (docs/decisions.md, "LSP open"). V8 reads it when the heap is created: it must be on the command line.
export const LANGUAGE_SERVER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];
