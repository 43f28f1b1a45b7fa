// The one config model: parse YAML with source ranges, validate against schemas/gateway.schema.json,
// run the semantic rules, normalize. The language server, the runtime and `ai-gateway-cli validate` all call this.
export * from './types';
export { checkConfig, checkConfigSteps, loadConfig, loadConfigFile, readConfigFile, formatDiagnostic, MAX_CONFIG_BYTES } from './load';
export { runSteps, type Steps } from './steps';
export { yamlToData } from './yamlData';
export { securityRulesForRoute, securityRuleIndex, pathPatternMatches, pathShape, pathSpecificity } from './routeShape';
export { parseDuration, parseRate } from './units';
export { compileGlob, MAX_GLOB_SUBJECT_LENGTH, type Glob } from './glob';
export { gatewaySchema } from './schemaCheck';
export { redactUrl } from './redactUrl';
export { YamlParseCache } from './incrementalParse';
export { CheckMemo } from './checkMemo';
export { normalizeConfig, routeNames, DEFAULT_MAX_TOKENS } from './normalize';
export { DEFAULT_CACHE_MEMORY_BYTES, parseBudgetAmount } from './normalizeSpend';
export { BUILT_IN_MOCKS } from './rules';
export { interpolate } from './env';
export { compileDenyPattern } from './guardrails';
export { MAX_ALIAS_COUNT, findPair, parseYaml, rangeAt, type ParsedYaml } from './yamlSource';
export type { CheckedConfig, LoadOptions, LoadResult } from './load';
export {
  PROVIDER_NAMES,
  PROVIDER_SPECS,
  AWS_KEY_VARIABLES,
  isProviderName,
  providerDefaultUrl,
  bedrockRegion,
  type ProviderName,
  type ProviderSpec,
} from './providers';
export { MODEL_LISTS, knownModel, modelListIsClosed, type KnownModel, type ModelPrice, type ProviderModels } from './providerModels';
export { HeldCredential, type AwsKeys, type CredentialValues } from './heldCredential';
export { isPlaintextCredentialHeader } from './providerRules';
