// Semantic rules of targets that name a provider, of target headers and of the Anthropic front door: what each
// provider requires, settings it would ignore, model names its known list lacks, and mocks of another wire format.
import { knownModel, MODEL_LISTS, modelListIsClosed } from './providerModels';
import { AWS_KEY_VARIABLES, isProviderName, PROVIDER_SPECS, type ProviderName, type ProviderSetting } from './providers';
import { COMPUTE_ALL, type Reuse } from './ruleMemo';
import { list, obj, str, type Finding, type Raw } from './ruleViews';
import { closest } from './suggest';

type Path = (string | number)[];

const PROVIDER_ONLY_KEYS = ['apiKeyEnv', 'model', 'apiVersion', 'deployment', 'region'] as const;
const SETTINGS: readonly ProviderSetting[] = ['apiVersion', 'deployment', 'region'];
/** Headers the gateway itself must write (framing, the connection, the upstream's host): a target cannot set them. */
const GATEWAY_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);

/** A target's object form with its place, for every target written as a mapping (a loop: it runs for every route). */
function targetObjects(route: Raw, index: number): { raw: Raw; path: Path }[] {
  const targets = route.targets;
  const out: { raw: Raw; path: Path }[] = [];
  if (!Array.isArray(targets)) return out;
  for (let j = 0; j < targets.length; j++) {
    const t: unknown = targets[j];
    if (t !== null && typeof t === 'object' && !Array.isArray(t)) out.push({ raw: t as Raw, path: ['routes', index, 'targets', j] });
  }
  return out;
}

const aTarget = (provider: string): string => `${/^[aeiou]/.test(provider) ? 'An' : 'A'} ${provider} target`;
const isMockUrl = (url: string | undefined): boolean => url?.startsWith('mock://') ?? false;

export function providerRules(root: Raw, reuse: Reuse = COMPUTE_ALL): Finding[] {
  const out: Finding[] = [];
  list(root.routes).forEach((r, index) => {
    const route = obj(r);
    // One route's data and index: everything its findings read.
    const found = reuse.forObject('providerFindings', route, [index], () => [
      ...targetObjects(route, index).flatMap((target) => targetRules(target.raw, target.path)),
      ...frontDoorRules(route, index),
    ]);
    for (const finding of found) out.push(finding);
  });
  return out;
}

function targetRules(raw: Raw, path: Path): Finding[] {
  const out: Finding[] = [...headerRules(raw, path)];
  const provider = raw.provider;
  const url = str(raw.url);
  if (provider === undefined) {
    if (url === undefined && raw.url === undefined)
      out.push({ path, severity: 'error', code: 'target.noUrl', message: 'A target needs a url, or a provider (with apiKeyEnv) the gateway speaks for.' });
    for (const key of PROVIDER_ONLY_KEYS) {
      if (raw[key] !== undefined)
        out.push({
          path: [...path, key],
          onKey: true,
          severity: 'warning',
          code: 'target.providerSettingUnused',
          message: `"${key}" is ignored: this target names no provider.`,
        });
    }
    return out;
  }
  if (!isProviderName(provider)) return out; // the schema's enum message says what is allowed
  const spec = PROVIDER_SPECS[provider];
  if (url === undefined && !spec.defaultUrl) {
    const example = provider === 'azure-openai' ? 'https://NAME.openai.azure.com' : 'http://vllm:8000/v1';
    out.push({
      path: [...path, 'provider'],
      severity: 'error',
      code: 'provider.urlRequired',
      message: `${aTarget(provider)} needs url: ${spec.label} has no public address (e.g. url: ${example}).`,
    });
  }
  if (spec.keyRequired && raw.apiKeyEnv === undefined && !isMockUrl(url)) {
    out.push({
      path: [...path, 'provider'],
      severity: 'error',
      code: 'provider.apiKeyRequired',
      message: `${aTarget(provider)} needs apiKeyEnv: the environment variable holding the ${spec.label} key the gateway sends (e.g. apiKeyEnv: ${spec.conventionalKeyEnv}).`,
      data: { provider },
    });
  }
  for (const setting of SETTINGS) {
    if (raw[setting] !== undefined && !spec.settings.includes(setting)) {
      const users = (Object.keys(PROVIDER_SPECS) as ProviderName[]).filter((name) => PROVIDER_SPECS[name].settings.includes(setting));
      out.push({
        path: [...path, setting],
        onKey: true,
        severity: 'warning',
        code: 'provider.settingUnused',
        message: `"${setting}" is ignored for ${provider}: only ${users.join(' and ')} read it.`,
      });
    }
  }
  out.push(...urlRules(url, provider, path), ...modelRules(str(raw.model), provider, path));
  return out;
}

function urlRules(url: string | undefined, provider: ProviderName, path: Path): Finding[] {
  if (url === undefined || url.includes('${')) return [];
  if (isMockUrl(url)) {
    const host = url.slice('mock://'.length).split('/')[0] ?? '';
    const wanted = PROVIDER_SPECS[provider].mock;
    if (host === wanted) return [];
    const suggestion = `mock://${wanted}`;
    return [
      {
        path: [...path, 'url'],
        severity: 'error',
        code: 'provider.wrongMock',
        message: `${url} speaks another wire format than ${provider}: the built-in mock for ${provider} is ${suggestion}.`,
        data: { suggestion },
      },
    ];
  }
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '')
      return [
        {
          path: [...path, 'url'],
          severity: 'error',
          code: 'provider.urlCredentials',
          message: 'A provider target takes its key from apiKeyEnv and extra settings from headers: its url carries no user, password or query.',
        },
      ];
  } catch {
    // targetRules (rules.ts) reports a URL that does not parse
  }
  return [];
}

function modelRules(model: string | undefined, provider: ProviderName, path: Path): Finding[] {
  if (model === undefined || model.includes('${') || !modelListIsClosed(provider) || knownModel(provider, model)) return [];
  const list = MODEL_LISTS[provider];
  const suggestion = closest(
    model,
    list.models.map((known) => known.name),
  );
  return [
    {
      path: [...path, 'model'],
      severity: 'warning',
      code: 'provider.unknownModel',
      message: `"${model}" is not among the ${PROVIDER_SPECS[provider].label} models the gateway knows (its list is of ${list.writtenOn}).${suggestion ? ` Did you mean "${suggestion}"?` : ''} A newer model works all the same.`,
      data: { provider, ...(suggestion ? { suggestion } : {}) },
    },
  ];
}

function headerRules(raw: Raw, path: Path): Finding[] {
  return Object.keys(obj(raw.headers)).flatMap((name): Finding[] =>
    GATEWAY_HEADERS.has(name.toLowerCase())
      ? [
          {
            path: [...path, 'headers', name],
            onKey: true,
            severity: 'error',
            code: 'target.headerNotAllowed',
            message: `${name} is written by the gateway for each request and cannot be set by a target.`,
          },
        ]
      : [],
  );
}

function frontDoorRules(route: Raw, index: number): Finding[] {
  const targets = route.target !== undefined ? [route.target] : list(route.targets);
  const providers = targets.filter((t) => obj(t).provider !== undefined).length;
  const path = str(route.path) ?? '';
  if (route.frontDoor === 'anthropic' && (providers === 0 || providers < targets.length)) {
    return [
      {
        path: ['routes', index, 'frontDoor'],
        severity: 'error',
        code: 'route.frontDoorNeedsProviders',
        message:
          'frontDoor: anthropic translates Messages requests for provider targets, and every target of this route must name one: a URL target would get the Messages request as it was sent.',
      },
    ];
  }
  if (route.frontDoor === undefined && providers > 0 && /\/messages$/.test(path)) {
    return [
      {
        path: ['routes', index, 'path'],
        severity: 'warning',
        code: 'route.messagesWithoutFrontDoor',
        message: `Clients of Anthropic's Messages API post to ${path}, but this route reads OpenAI requests: add frontDoor: anthropic.`,
      },
    ];
  }
  return [];
}

/** The variables provider targets depend on: apiKeyEnv, and the AWS keys of a Bedrock target that signs with them. */
export function providerEnvReferences(root: Raw): { name: string; path: Path; because?: string }[] {
  const out: { name: string; path: Path; because?: string }[] = [];
  list(root.routes).forEach((r, index) => {
    for (const { raw, path } of targetObjects(obj(r), index)) {
      const apiKeyEnv = str(raw.apiKeyEnv);
      if (raw.provider !== undefined && apiKeyEnv) out.push({ name: apiKeyEnv, path: [...path, 'apiKeyEnv'] });
      else if (raw.provider === 'bedrock' && !isMockUrl(str(raw.url)))
        for (const name of AWS_KEY_VARIABLES)
          out.push({ name, path: [...path, 'provider'], because: 'a bedrock target without apiKeyEnv signs its requests with the AWS keys' });
    }
  });
  return out;
}

/** Header names that carry credentials: a value written out in the config is a key in version control. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|api-key|x-api-key|x-goog-api-key)$|key|token|secret|password/i;

/**
 * Target headers whose credential is written in the config itself. Read from the data before `${VAR}` expansion
 * (after it, a variable's value cannot be told from a literal).
 */
export function plaintextHeaderFindings(uninterpolated: unknown): Finding[] {
  const out: Finding[] = [];
  list(obj(uninterpolated).routes).forEach((r, index) => {
    for (const { raw, path } of targetObjects(obj(r), index)) {
      for (const [name, value] of Object.entries(obj(raw.headers))) {
        if (!isPlaintextCredentialHeader(name, value)) continue;
        out.push({
          path: [...path, 'headers', name],
          severity: 'warning',
          code: 'secret.plaintextHeader',
          message: `The ${name} header's value is written in the config, where it ends up in version control: read it from the environment, e.g. ${name}: "\${${envName(name)}}".`,
          data: { header: name, variable: envName(name) },
        });
      }
    }
  });
  return out;
}

/** A header that carries a credential, with the credential itself as its value (not read from `${VAR}`). */
export function isPlaintextCredentialHeader(name: string, value: unknown): boolean {
  return typeof value === 'string' && value !== '' && !value.includes('${') && CREDENTIAL_HEADER.test(name);
}

function envName(header: string): string {
  return (
    header
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'HEADER_VALUE'
  );
}
