// The node flags every launcher of the gateway passes (bin shebang, `npm start`, the Dockerfile, the extension, the
// bench). A proxied request leaves ~30 KB of short-lived objects; with V8's default young generation the gateway
// spent ~10% of its CPU in scavenges and promoted more than it had to. 32 MB semi-spaces cut routing-only CPU per
// request by ~20% (docs/decisions.md, "The gateway runs with --max-semi-space-size=32"). It is a maximum: an idle
// gateway does not grow into it.
// V8 reads it once, when the heap is created, so it must be on the command line (or NODE_OPTIONS), never set later.
// --no-allocation-site-pretenuring: V8 otherwise starts allocating a site's objects straight in the old generation
// once one scavenge finds all of them alive, which the first burst of concurrent requests does to request-path sites:
// from then on ~4 MB of each request's short-lived objects per scavenge went to the old generation (0.1-0.4 MB
// without), freed only by mark-compacts. Routing only took ~20% more CPU per request for it (docs/decisions.md,
// "The gateway runs with --no-allocation-site-pretenuring").
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32', '--no-allocation-site-pretenuring'];

// The node flags the extension starts the language server with (and the tests and `bench:lsp`, so they measure what
// ships). Opening a large config builds a syntax tree that survives until it is composed: V8's young generation
// starts at 1 MB and grows step by step, so the first open paid ~27 scavenges, each copying the tree built so far.
// Starting it at 16 MB semi-spaces took the 2,000-route open from 0.50-0.52x to 0.38-0.40x of yaml-language-server's
// (docs/decisions.md, "The server runs with --min-semi-space-size=16"). V8 reads it when the heap is created: it must be on the command line.
export const LANGUAGE_SERVER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];
