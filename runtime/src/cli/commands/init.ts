// `ai-gateway-cli init`: remember where things are. `--config FILE` writes a commented starter config if FILE is
// missing and remembers it for `apply`; `--cluster NAME --key KEY` saves a named context (gateway URL and key)
// in the user config file (mode 0600), as kubectl and gh do. A new context keeps the config file remembered before.
import { access, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command } from 'commander';
import { loadConfigFile } from '../../../../common/src/config';
import { ENV_URL, readUserConfig, userConfigPath, writeUserConfig } from '../../../../sdk/src';
import { CliError } from '../cliError';
import type { CommandResult } from '../main';
import { EXIT, EXIT_CODES_HELP, type GlobalFlags } from './gatewayConnection';
import { STARTER_CONFIG } from './starterConfig';

interface InitFlags extends GlobalFlags {
  config?: string;
  cluster?: string;
}

export function initCommand(result: CommandResult): Command {
  return new Command('init')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description('Remember a config file for `apply` (writing a commented starter if it is missing) and/or a named gateway context.')
    .option('--config <file>', 'gateway config file; created with a commented starter config if missing')
    .option('--cluster <name>', 'name of the context to save and make current (gateway URL from --gateway or AI_GATEWAY_URL, key from --key)')
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli init --config path/to/config.yaml
  $ ai-gateway-cli init --cluster aimlops --key $AI_GATEWAY_API_KEY
  $ ai-gateway-cli init --cluster aimlops --gateway http://gateway:8080 --key $AI_GATEWAY_API_KEY --config gateway.yaml

Contexts are saved in $XDG_CONFIG_HOME/ai-gateway/config.json (default ~/.config/ai-gateway/config.json), mode 0600.
${EXIT_CODES_HELP}
`,
    )
    .action(async (_flags: InitFlags, command: Command) => {
      const flags = command.optsWithGlobals<InitFlags>();
      if (!flags.config && !flags.cluster && !flags.key && !flags.gateway) {
        throw new CliError('init needs --config FILE and/or --cluster NAME (with --key KEY and --gateway URL). See `ai-gateway-cli init --help`.', EXIT.usage);
      }
      const file = userConfigPath();
      const userConfig = await readUserConfig(file);
      const name = flags.cluster ?? userConfig.currentContext ?? 'default';
      const context = { ...userConfig.contexts[name] };
      // A new context keeps the config file remembered so far: `init --config F` then `init --cluster C` then `apply` pushes F.
      const current = userConfig.currentContext;
      const inherited = !userConfig.contexts[name] && !flags.config && current !== undefined ? userConfig.contexts[current]?.config : undefined;
      if (inherited) context.config = inherited;
      // The gateway this context names: the flag, else the one the environment points at now.
      const gateway = flags.gateway ?? process.env[ENV_URL];
      if (gateway) context.gateway = gateway.replace(/\/+$/, '');
      if (flags.key) context.key = flags.key;
      if (flags.config) context.config = await prepareConfigFile(flags.config);
      userConfig.contexts[name] = context;
      userConfig.currentContext = name;
      await writeUserConfig(userConfig, file);
      const parts = [
        `gateway ${context.gateway ?? '(default: $AI_GATEWAY_URL or http://127.0.0.1:8080)'}`,
        context.key ? 'API key saved' : 'no API key (uses $AI_GATEWAY_API_KEY)',
      ];
      if (context.config) parts.push(`config ${context.config}${inherited ? ` (kept from context "${current}")` : ''}`);
      process.stdout.write(`Context "${name}" saved in ${file} and made current: ${parts.join(', ')}.\n`);
      result.exitCode = EXIT.ok;
    });
}

/** The absolute path to remember; a missing file gets the starter config, an existing one is checked. */
async function prepareConfigFile(given: string): Promise<string> {
  const file = path.resolve(given);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, STARTER_CONFIG, { flag: 'wx' });
    process.stdout.write(`Wrote a commented starter config to ${file}.\n`);
    return file;
  }
  const { diagnostics } = await loadConfigFile(file);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  process.stdout.write(`Using ${file} (${errors === 0 ? 'valid' : `${errors} error(s): run ai-gateway-cli validate ${given}`}).\n`);
  return file;
}
