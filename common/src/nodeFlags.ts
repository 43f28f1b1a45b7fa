// The node flags every launcher of the gateway passes (bin shebang, `npm start`, the Dockerfile, the extension, the
// bench). --max-semi-space-size=8 caps the young generation at 8 MB semi-spaces (V8's default cap is 16): with
// pretenuring off (below) the scavenges stay cheap at that size, and the gateway's RSS under load no longer carries a
// young generation grown to 64 MB once the first burst (or the tokenizer's load) fills it (docs/decisions.md,
// "The gateway's young generation: 8 MB semi-spaces").
// V8 reads it once, when the heap is created, so it must be on the command line (or NODE_OPTIONS), never set later.
// --no-allocation-site-pretenuring: V8 otherwise starts allocating a site's objects straight in the old generation
// once one scavenge finds all of them alive, which the first burst of concurrent requests does to request-path sites:
// from then on ~4 MB of each request's short-lived objects per scavenge went to the old generation (0.1-0.4 MB
// without), freed only by mark-compacts. Routing only took ~20% more CPU per request for it (docs/decisions.md,
// "The gateway runs with --no-allocation-site-pretenuring").
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--no-allocation-site-pretenuring'];

// The environment every launcher of the gateway adds (the bin's shebang, the Docker image, the extension, the
// benches; `npm start`, the cross-platform quick start, runs without it: cmd.exe has no VAR=value prefix).
// MALLOC_TRIM_THRESHOLD_=131072: glibc's malloc gives freed memory at the top of its heaps back to the system once
// 128 KB of it is free. Left alone, glibc raises that threshold (up to 32 MB) each time a large block is freed, and
// memory that V8 and Node had freed stayed resident: the tokenizer's load (parsing its 2.4 MB tables) left ~18 MB,
// the soak's gateway held ~44 MB more under load than with the threshold fixed. CPU per request is the same with and
// without it in alternating bench runs (docs/decisions.md, "glibc's trim threshold"). Other C libraries ignore it.
// A value a user set wins where the launcher can tell (the extension, the Docker image's ENV); the shebang sets it.
export const GATEWAY_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: '131072' };

// The node flags the extension starts the language server with (and the tests and `bench:lsp`, so they measure what
// ships). Opening a large config builds a syntax tree that survives until it is composed: V8's young generation
// starts at 1 MB and grows step by step, so the first open paid ~27 scavenges, each copying the tree built so far.
// Starting it at 16 MB semi-spaces took the 2,000-route open from 0.50-0.52x to 0.38-0.40x of yaml-language-server's
// (docs/decisions.md, "The server runs with --min-semi-space-size=16"). V8 reads it when the heap is created: it must be on the command line.
export const LANGUAGE_SERVER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];
