// The node flags every launcher of the gateway passes (bin shebang, `npm start`, the Dockerfile, the extension, the
// bench). A proxied request leaves ~30 KB of short-lived objects; with V8's default young generation the gateway
// spent ~10% of its CPU in scavenges and promoted more than it had to. 32 MB semi-spaces cut routing-only CPU per
// request by ~20% (docs/decisions.md, "Round 3: the young generation"). It is a maximum: an idle gateway does not grow into it.
// V8 reads it once, when the heap is created, so it must be on the command line (or NODE_OPTIONS), never set later.
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
