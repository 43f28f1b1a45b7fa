// The one config model: parse YAML with source ranges, validate against schemas/gateway.schema.json,
// run the semantic rules, normalize. The language server, the runtime and `ai-gateway-cli validate` all call this.
export * from './types';
export { loadConfig, loadConfigFile } from './load';
export type { LoadOptions, LoadResult } from './load';
