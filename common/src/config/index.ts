// The one config model: parse YAML with source ranges, validate against schemas/gateway.schema.json,
// run the semantic rules, normalize. The language server, the runtime and `ai-gateway-cli validate` all call this.
export * from './types';
export { checkConfig, loadConfig, loadConfigFile, formatDiagnostic } from './load';
export { securityRulesForRoute, pathPatternMatches, pathShape, pathKind } from './routeShape';
export { parseDuration, parseRate, parseSize, parseListen, globToRegExp } from './units';
export { gatewaySchema } from './schemaCheck';
export { YamlParseCache } from './incrementalParse';
export { normalizeConfig, routeNames } from './normalize';
export { interpolate } from './env';
export { MAX_ALIAS_COUNT, findPair, parseYaml, rangeAt, type ParsedYaml } from './yamlSource';
export type { CheckedConfig, LoadOptions, LoadResult } from './load';
