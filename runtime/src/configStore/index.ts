// The config file as admin changes see it: edits kept in the user's YAML, validated, applied, written atomically.
export { ConfigStore, contentHash, routeChanges, type AppliedChange, type ConfigFormat, type ConfigStoreOptions } from './configStore';
export * from './configEdits';
export * from './errors';
export { yamlWithChanges, yamlData, sameData, YAML_OUTPUT } from './yamlPatch';
