// Decides, for one pod, whether to inject the gateway sidecar, and writes the JSON Patch that does it.
// Pure: the same pod and options always give the same plan, so the webhook is trivially idempotent.
import { CONFIG_VOLUME_NAME, SIDECAR_CONTAINER_NAME, configVolume, sidecarContainer, type SidecarOptions } from './sidecar';
import { CONFIG_ANNOTATION, INJECTED_ANNOTATION, INJECT_ANNOTATION, PORT_ANNOTATION, type JsonPatchAdd, type Pod } from './types';

export type InjectionPlan =
  | { action: 'skip'; reason: string; warning?: string }
  | { action: 'inject'; patch: JsonPatchAdd[]; configMapName: string; port: number }
  | { action: 'refuse'; message: string };

// Lower-case RFC 1123 subdomain, what Kubernetes requires of a ConfigMap name.
const CONFIG_MAP_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function planInjection(pod: Pod, options: SidecarOptions): InjectionPlan {
  const annotations = pod.metadata?.annotations ?? {};
  const wanted = annotations[INJECT_ANNOTATION];
  if (wanted === undefined) return { action: 'skip', reason: `no ${INJECT_ANNOTATION} annotation` };
  if (wanted === 'false') return { action: 'skip', reason: `${INJECT_ANNOTATION} is "false"` };
  if (wanted !== 'true') {
    return {
      action: 'skip',
      reason: `${INJECT_ANNOTATION} is "${wanted}"`,
      warning: `${INJECT_ANNOTATION} is "${wanted}"; only "true" injects the gateway sidecar`,
    };
  }
  if (annotations[INJECTED_ANNOTATION] === 'true' || hasContainer(pod, SIDECAR_CONTAINER_NAME)) {
    return { action: 'skip', reason: 'gateway sidecar already injected' };
  }

  const configMapName = annotations[CONFIG_ANNOTATION] ?? options.configMapName;
  if (!CONFIG_MAP_NAME.test(configMapName) || configMapName.length > 253) {
    return {
      action: 'refuse',
      message: `annotation ${CONFIG_ANNOTATION}: "${configMapName}" is not a valid ConfigMap name (lower-case letters, digits, '-' and '.')`,
    };
  }
  const port = parsePort(annotations[PORT_ANNOTATION], options.gatewayPort);
  if (typeof port === 'string') return { action: 'refuse', message: port };
  const portOwner = containerUsingPort(pod, port);
  if (portOwner) {
    return {
      action: 'refuse',
      message: `container "${portOwner}" already uses port ${port}, which the gateway sidecar needs; set the ${PORT_ANNOTATION} annotation to a free port`,
    };
  }
  if ((pod.spec.volumes ?? []).some((volume) => volume.name === CONFIG_VOLUME_NAME)) {
    return {
      action: 'refuse',
      message: `the pod already has a volume named "${CONFIG_VOLUME_NAME}", which the gateway sidecar needs for its config`,
    };
  }

  const patch: JsonPatchAdd[] = [
    { op: 'add', path: '/spec/containers/-', value: sidecarContainer(options, port) },
    pod.spec.volumes
      ? { op: 'add', path: '/spec/volumes/-', value: configVolume(configMapName) }
      : { op: 'add', path: '/spec/volumes', value: [configVolume(configMapName)] },
    pod.metadata?.annotations
      ? { op: 'add', path: `/metadata/annotations/${escapePointer(INJECTED_ANNOTATION)}`, value: 'true' }
      : { op: 'add', path: '/metadata/annotations', value: { [INJECTED_ANNOTATION]: 'true' } },
  ];
  return { action: 'inject', patch, configMapName, port };
}

function hasContainer(pod: Pod, name: string): boolean {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].some((container) => container.name === name);
}

function containerUsingPort(pod: Pod, port: number): string | undefined {
  return pod.spec.containers.find((container) => (container.ports ?? []).some((p) => p.containerPort === port))?.name;
}

function parsePort(text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    return `annotation ${PORT_ANNOTATION}: "${text}" is not a port number (1-65535)`;
  }
  return port;
}

/** RFC 6901: '~' and '/' inside a key are written '~0' and '~1'. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
