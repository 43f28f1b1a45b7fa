// `ai-gateway-cli webhook`: serves the mutating admission webhook that injects the gateway sidecar into pods
// annotated `aimlops/gateway: "true"` (deploy/k8s/webhook.yaml runs it in the cluster).
import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import pino from 'pino';
import { startAdmissionWebhook } from '../../admission/server';
import { DEFAULT_SIDECAR_OPTIONS } from '../../admission/sidecar';
import { CliError } from '../cliError';
import type { CommandResult } from '../main';
import { parsePort, untilSignal } from './shutdown';

interface WebhookFlags {
  tlsCert: string;
  tlsKey: string;
  host: string;
  port: number;
  image: string;
  configMap: string;
  gatewayPort: number;
  apiKeySecret?: string;
  certPollMs: number;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new InvalidArgumentError(`"${text}" is not a positive integer`);
  return value;
}

export function webhookCommand(result: CommandResult): Command {
  return new Command('webhook')
    .description('Serve the Kubernetes mutating admission webhook that injects the gateway sidecar (HTTPS)')
    .requiredOption('--tls-cert <file>', 'PEM certificate the API server will verify (with the caBundle of the webhook configuration)')
    .requiredOption('--tls-key <file>', 'PEM private key of the certificate')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', parsePort, 8443)
    .option('--image <image>', 'gateway image of the injected sidecar', DEFAULT_SIDECAR_OPTIONS.image)
    .option('--config-map <name>', 'ConfigMap with ai-gateway.yaml, unless the pod names one in aimlops/gateway-config', DEFAULT_SIDECAR_OPTIONS.configMapName)
    .option('--gateway-port <port>', 'port of the sidecar, unless the pod sets aimlops/gateway-port', parsePort, DEFAULT_SIDECAR_OPTIONS.gatewayPort)
    .option('--api-key-secret <name>', 'Secret whose "api-key" becomes AI_GATEWAY_API_KEY in the sidecar')
    .option('--cert-poll-ms <ms>', 'how often to check the certificate files for rotation', positiveInteger, 10_000)
    .action(async (flags: WebhookFlags) => {
      for (const [flag, file] of [
        ['--tls-cert', flags.tlsCert],
        ['--tls-key', flags.tlsKey],
      ] as const) {
        if (!existsSync(file)) throw new CliError(`${flag}: file not found: ${file}`);
      }
      const logger = pino({ base: { component: 'webhook' } });
      const webhook = await startAdmissionWebhook({
        host: flags.host,
        port: flags.port,
        certFile: flags.tlsCert,
        keyFile: flags.tlsKey,
        certPollMs: flags.certPollMs,
        logger,
        sidecar: {
          image: flags.image,
          configMapName: flags.configMap,
          gatewayPort: flags.gatewayPort,
          ...(flags.apiKeySecret ? { apiKeySecretName: flags.apiKeySecret } : {}),
        },
      });
      const signal = await untilSignal();
      logger.info({ signal }, 'webhook stopping');
      await webhook.close();
      result.exitCode = 0;
    });
}
