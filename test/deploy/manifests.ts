// Reads the Kubernetes manifests under deploy/k8s the way kustomize would (every document of every listed file),
// so the tests can check what a cluster needs: references between objects that must line up.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/cli';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
  file: string;
}

export const deployDir = path.join(repoRoot, 'deploy/k8s');

export function readManifestFile(file: string): Manifest[] {
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file}: empty`);
  return docs.map((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as Manifest;
    for (const field of ['apiVersion', 'kind'] as const) {
      if (typeof value[field] !== 'string') throw new Error(`${file} document ${index}: missing ${field}`);
    }
    if (typeof value.metadata?.name !== 'string') throw new Error(`${file} document ${index}: missing metadata.name`);
    return { ...value, file: path.relative(repoRoot, file) };
  });
}

export interface Kustomization {
  namespace?: string;
  resources: string[];
  images?: { name: string; newTag?: string }[];
}

/** The objects of one kustomization directory, with its namespace applied as kustomize would. */
export function readKustomization(dir: string): { kustomization: Kustomization; objects: Manifest[] } {
  const kustomization = parseAllDocuments(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  const spec = (Array.isArray(kustomization) ? kustomization[0]?.toJS() : undefined) as Kustomization;
  const objects = spec.resources.flatMap((file) => readManifestFile(path.join(dir, file)));
  for (const object of objects) {
    if (spec.namespace && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = spec.namespace;
  }
  return { kustomization: spec, objects };
}

const CLUSTER_SCOPED = new Set(['Namespace', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding']);

export function find(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

// The shapes the checks read; anything else in the objects is carried along untyped.
export interface ContainerSpec {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string } };
  livenessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string } };
  securityContext?: Record<string, unknown>;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: ContainerSpec[];
    volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
    securityContext?: Record<string, unknown>;
  };
}

export function podTemplateOf(deployment: Manifest): PodTemplate {
  return (deployment.spec as { template: PodTemplate }).template;
}

export function selectorOf(deployment: Manifest): Record<string, string> {
  return (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
}

/** True when every label of `selector` is on `labels`, as a label selector matches. */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The value following `flag` in an argument list. */
export function flagValue(args: string[] | undefined, flag: string): string | undefined {
  const index = (args ?? []).indexOf(flag);
  return index >= 0 ? args?.[index + 1] : undefined;
}
