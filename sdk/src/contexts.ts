// Named gateway contexts (`ai-gateway-cli init --cluster aimlops --key ...`), kept like kubectl and gh keep theirs:
// one JSON file in $XDG_CONFIG_HOME/ai-gateway/ (default ~/.config/ai-gateway/), mode 0600 because it holds keys.
import { mkdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../common/src/atomicWrite';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';
export const ENV_URL = 'AI_GATEWAY_URL';
export const ENV_KEY = 'AI_GATEWAY_API_KEY';

export interface ClusterContext {
  gateway?: string;
  key?: string;
  /** The config file `apply` pushes (`init --config`). */
  config?: string;
}

export interface UserConfig {
  currentContext?: string;
  contexts: Record<string, ClusterContext>;
}

type Env = Record<string, string | undefined>;

export function userConfigPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'ai-gateway', 'config.json');
}

export async function readUserConfig(file = userConfigPath()): Promise<UserConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw err;
  }
  try {
    const data = JSON.parse(text) as Partial<UserConfig>;
    return { ...(data.currentContext ? { currentContext: data.currentContext } : {}), contexts: data.contexts ?? {} };
  } catch {
    throw new Error(`${file} is not valid JSON: fix or delete it, then run \`ai-gateway-cli init\` again.`);
  }
}

export async function writeUserConfig(config: UserConfig, file = userConfigPath()): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`, 0o600);
}

export interface ConnectionChoice {
  url?: string;
  apiKey?: string;
  /** A context name; default the current context. */
  cluster?: string;
}

export interface Connection {
  url: string;
  apiKey?: string;
  context?: string;
  config?: string;
}

/** Flags win over the environment, which wins over the context, which wins over the default URL. */
export function resolveConnection(choice: ConnectionChoice, userConfig: UserConfig, env: Env = process.env): Connection {
  const name = choice.cluster ?? userConfig.currentContext;
  if (choice.cluster && !userConfig.contexts[choice.cluster]) {
    const known = Object.keys(userConfig.contexts);
    throw new Error(
      `No context named "${choice.cluster}"${known.length ? ` (known: ${known.join(', ')})` : ''}: create it with \`ai-gateway-cli init --cluster ${choice.cluster} --key KEY\`.`,
    );
  }
  const context = name ? userConfig.contexts[name] : undefined;
  const apiKey = choice.apiKey || env[ENV_KEY] || context?.key;
  return {
    url: (choice.url || env[ENV_URL] || context?.gateway || DEFAULT_GATEWAY_URL).replace(/\/+$/, ''),
    ...(apiKey ? { apiKey } : {}),
    ...(name && context ? { context: name } : {}),
    ...(context?.config ? { config: context.config } : {}),
  };
}
