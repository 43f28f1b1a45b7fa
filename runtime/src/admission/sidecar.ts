// What the injector adds to a pod: the gateway container and the volume its config comes from.
import type { Container, Volume } from './types';

export const SIDECAR_CONTAINER_NAME = 'ai-gateway';
export const CONFIG_VOLUME_NAME = 'ai-gateway-config';
const CONFIG_MOUNT_DIR = '/etc/ai-gateway';
export const CONFIG_FILE_KEY = 'ai-gateway.yaml';

export interface SidecarOptions {
  image: string;
  configMapName: string; // default ConfigMap with the `ai-gateway.yaml` key
  gatewayPort: number;
  /** Secret (key `api-key`) whose value becomes AI_GATEWAY_API_KEY in the sidecar; absent = none. */
  apiKeySecretName?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

export const DEFAULT_SIDECAR_OPTIONS: SidecarOptions = {
  image: 'ghcr.io/ai-gateway/ai-gateway:0.1.0',
  configMapName: 'ai-gateway-config',
  gatewayPort: 8080,
};

/** The UID the image's non-root `node` user has; the sidecar runs as it whatever the pod defaults to. */
const GATEWAY_UID = 1000;

export function sidecarContainer(options: SidecarOptions, port: number): Container {
  const probe = { httpGet: { path: '/healthz', port: 'gateway' } };
  const container: Container = {
    name: SIDECAR_CONTAINER_NAME,
    image: options.image,
    args: ['start', '--config', `${CONFIG_MOUNT_DIR}/${CONFIG_FILE_KEY}`, '--host', '0.0.0.0', '--port', String(port)],
    ports: [{ name: 'gateway', containerPort: port, protocol: 'TCP' }],
    volumeMounts: [{ name: CONFIG_VOLUME_NAME, mountPath: CONFIG_MOUNT_DIR, readOnly: true }],
    readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: GATEWAY_UID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
  if (options.imagePullPolicy) container.imagePullPolicy = options.imagePullPolicy;
  if (options.apiKeySecretName) {
    container.env = [
      {
        name: 'AI_GATEWAY_API_KEY',
        valueFrom: { secretKeyRef: { name: options.apiKeySecretName, key: 'api-key', optional: true } },
      },
    ];
  }
  return container;
}

export function configVolume(configMapName: string): Volume {
  return { name: CONFIG_VOLUME_NAME, configMap: { name: configMapName } };
}
