// The dated model list with prices lives with the config model (common/src/config/providerModels.ts), which warns
// about unknown names; the runtime reads it from there.
export { MODEL_LISTS, knownModel, modelListIsClosed, type KnownModel, type ModelPrice, type ProviderModels } from '../../../common/src/config';
