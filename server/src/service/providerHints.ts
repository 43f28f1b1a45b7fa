// What the editor offers and says about provider targets: a provider's known models (from the dated list in
// common/src/config/providerModels.ts) when a target's `model` is typed, environment variable names for `apiKeyEnv`
// (the provider's conventional one first; names only, never values), and hovers on `provider`, `model` and
// `apiKeyEnv` values that say what the gateway will do with them.
import { CompletionItemKind, type CompletionItem, type Range } from 'vscode-languageserver';
import type { Document } from 'yaml';
import {
  isProviderName,
  knownModel,
  MODEL_LISTS,
  modelListIsClosed,
  PROVIDER_SPECS,
  providerDefaultUrl,
  type KnownModel,
  type ProviderName,
} from '../../../common/src/config';
import type { JsonPath } from './schemaAt';

type Env = Record<string, string | undefined>;

/** Names that look like they hold a credential: offered for apiKeyEnv before the rest of the environment. */
const CREDENTIAL_NAME = /KEY|TOKEN|SECRET/i;

/** `routes[i].targets[j].<field>`: the field of a target written as a mapping. */
export function targetField(path: JsonPath): { target: JsonPath; field: string } | undefined {
  if (path.length !== 5 || path[0] !== 'routes' || path[2] !== 'targets' || typeof path[1] !== 'number' || typeof path[3] !== 'number') return undefined;
  return typeof path[4] === 'string' ? { target: path.slice(0, 4), field: path[4] } : undefined;
}

export function providerAt(document: Document, target: JsonPath): ProviderName | undefined {
  const value = document.getIn([...target, 'provider']);
  return isProviderName(value) ? value : undefined;
}

/** Completion items for a target's `model` or `apiKeyEnv` value; undefined where the schema's own values apply. */
export function providerValueItems(field: string, provider: ProviderName | undefined, range: Range, env: Env, typed: string): CompletionItem[] | undefined {
  if (field === 'model' && provider) return modelItems(provider, range);
  if (field === 'apiKeyEnv') return keyEnvItems(provider, range, env, typed);
  return undefined;
}

function modelItems(provider: ProviderName, range: Range): CompletionItem[] | undefined {
  const list = MODEL_LISTS[provider];
  if (list.models.length === 0) return undefined;
  return list.models.map((model, index) => ({
    label: model.name,
    kind: CompletionItemKind.Value,
    detail: `${PROVIDER_SPECS[provider].label} ${model.kind} model${priceText(model) ? `, ${priceText(model)}` : ''}`,
    documentation: { kind: 'markdown', value: `From the gateway's model list of ${list.writtenOn} (${list.source}).` },
    sortText: String(index).padStart(4, '0'), // the list's order: newest first
    textEdit: { range, newText: model.name },
  }));
}

function keyEnvItems(provider: ProviderName | undefined, range: Range, env: Env, typed: string): CompletionItem[] {
  const conventional = provider ? PROVIDER_SPECS[provider].conventionalKeyEnv : undefined;
  const names = new Set(Object.keys(env).filter((name) => CREDENTIAL_NAME.test(name)));
  if (conventional) names.delete(conventional);
  const upper = typed.toUpperCase();
  const item = (name: string, sort: string): CompletionItem => ({
    label: name,
    kind: CompletionItemKind.Variable,
    detail: env[name] ? 'set in the editor’s environment' : 'not set in the editor’s environment',
    sortText: `${sort}${name}`,
    textEdit: { range, newText: name },
  });
  const items = [...names].filter((name) => name.toUpperCase().startsWith(upper)).map((name) => item(name, '1'));
  if (conventional && conventional.startsWith(upper)) items.unshift(item(conventional, '0'));
  return items;
}

function priceText(model: KnownModel): string | undefined {
  if (model.inputPerMTok === undefined) return undefined;
  const output = model.outputPerMTok !== undefined ? ` / $${model.outputPerMTok} out` : '';
  return `$${model.inputPerMTok} in${output} per million tokens`;
}

/** A hover's text for a target's `provider`, `model` or `apiKeyEnv` value. */
export function providerValueHover(field: string, value: unknown, provider: ProviderName | undefined, env: Env): string | undefined {
  if (field === 'provider' && isProviderName(value)) return providerText(value);
  if (field === 'model' && typeof value === 'string' && provider) return modelText(provider, value);
  if (field === 'apiKeyEnv' && typeof value === 'string') {
    const state = env[value] ? 'is set in the editor’s environment' : 'is **not set** in the editor’s environment (the gateway refuses to start without it)';
    return `**apiKeyEnv** \`${value}\` ${state}. The gateway reads the key from it when the config loads and sends it only to this target; it never appears in logs, metrics, traces, the admin API or the editor.`;
  }
  return undefined;
}

function providerText(provider: ProviderName): string {
  const spec = PROVIDER_SPECS[provider];
  const url = providerDefaultUrl(provider, 'REGION');
  const list = MODEL_LISTS[provider];
  return [
    `**${spec.label}** (\`provider: ${provider}\`)`,
    `- the key: ${spec.credential}${spec.keyRequired ? ' (apiKeyEnv required)' : ''}`,
    `- url: ${url ? `\`${url}\` unless set` : '**required**'}${spec.settings.length > 0 ? `; also reads ${spec.settings.map((s) => `\`${s}\``).join(', ')}` : ''}`,
    provider === 'openai' || provider === 'azure-openai' || provider === 'ollama' || provider === 'openai-compatible'
      ? '- speaks OpenAI’s API: requests and answers pass through (errors are rewritten, a refused key is never quoted)'
      : '- requests, answers, streams and errors are translated from and to OpenAI’s API',
    `- models: ${modelListIsClosed(provider) ? `${list.models.length} known (list of ${list.writtenOn}); others get a warning` : 'any name (deployments and local models are named by their owners)'}`,
  ].join('\n');
}

function modelText(provider: ProviderName, name: string): string {
  const model = knownModel(provider, name);
  const list = MODEL_LISTS[provider];
  if (!model)
    return modelListIsClosed(provider)
      ? `\`${name}\` is not in the gateway's ${PROVIDER_SPECS[provider].label} list (of ${list.writtenOn}): requests still go out with it.`
      : `\`${name}\` is sent to ${PROVIDER_SPECS[provider].label} as written.`;
  const price = priceText(model);
  return `\`${name}\`: a known ${PROVIDER_SPECS[provider].label} ${model.kind} model (list of ${list.writtenOn})${price ? `, ${price}` : ', no price known'}. Sent upstream whatever model the client names.`;
}
