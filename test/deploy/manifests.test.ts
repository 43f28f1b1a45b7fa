// No cluster runs here, so the manifests are checked for what a cluster would trip on: every document parses and
// names its kind, and the references between objects (selectors, ports, volumes, env, certificate, image) line up.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { planInjection } from '../../runtime/src/admission/inject';
import { WEBHOOK_PATH } from '../../runtime/src/admission/server';
import { CONFIG_FILE_KEY, sidecarContainer, DEFAULT_SIDECAR_OPTIONS } from '../../runtime/src/admission/sidecar';
import type { Pod } from '../../runtime/src/admission/types';
import { loadConfig } from '../../common/src/config';
import { repoRoot } from '../support/cli';
import { applyJsonPatch, type PatchOperation } from '../admission/jsonPatch';
import {
  deployDir,
  find,
  flagValue,
  podTemplateOf,
  readKustomization,
  readManifestFile,
  selectorOf,
  selects,
  type ContainerSpec,
  type Manifest,
  type PodTemplate,
} from './manifests';

const standalone = readKustomization(path.join(deployDir, 'standalone'));
const webhook = readKustomization(path.join(deployDir, 'webhook'));
const GATEWAY_IMAGE = 'ghcr.io/ai-gateway/ai-gateway:0.1.0';

function containerPort(container: ContainerSpec, port: string | number): number {
  if (typeof port === 'number') return port;
  const found = container.ports?.find((p) => p.name === port);
  assert.ok(found, `container ${container.name} has a port named ${port}`);
  return found.containerPort;
}

function onlyContainer(template: PodTemplate): ContainerSpec {
  assert.equal(template.spec.containers.length, 1);
  return template.spec.containers[0] as ContainerSpec;
}

/** The config a ConfigMap carries, loaded by the one config model with the env the pod would have. */
function loadConfigMapConfig(configMap: Manifest, env: Record<string, string>): ReturnType<typeof loadConfig> {
  const text = (configMap.data as Record<string, string>)[CONFIG_FILE_KEY];
  assert.ok(text, `${configMap.file}: ConfigMap ${configMap.metadata.name} has the key ${CONFIG_FILE_KEY}`);
  return loadConfig(text, { env, mode: 'start' });
}

function assertNoErrors(result: ReturnType<typeof loadConfig>, where: string): void {
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path.join('.')}: ${d.message}`);
  assert.deepEqual(errors, [], `${where} has config errors`);
  assert.ok(result.config);
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('parse, name their kind, and every file of a folder is listed in its kustomization', () => {
    for (const dir of ['standalone', 'webhook']) {
      const { kustomization } = readKustomization(path.join(deployDir, dir));
      const files = readdirSync(path.join(deployDir, dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      assert.deepEqual([...kustomization.resources].sort(), files.sort(), `${dir}/kustomization.yaml lists every manifest`);
    }
    for (const file of readdirSync(path.join(deployDir, 'sidecar'))) readManifestFile(path.join(deployDir, 'sidecar', file));
  });

  it('standalone: Deployment, Service, HPA, PDB and ServiceMonitor point at each other', () => {
    const { objects } = standalone;
    const deployment = find(objects, 'Deployment', 'ai-gateway');
    const template = podTemplateOf(deployment);
    const gateway = onlyContainer(template);
    assert.ok(selects(selectorOf(deployment), template.metadata.labels), 'the Deployment selects its own pods');
    assert.equal(gateway.image, GATEWAY_IMAGE);
    assert.equal(template.spec.securityContext?.runAsNonRoot, true);
    assert.equal(gateway.securityContext?.readOnlyRootFilesystem, true);

    for (const probe of [gateway.readinessProbe, gateway.livenessProbe]) {
      assert.equal(probe?.httpGet?.path, '/healthz');
      assert.equal(containerPort(gateway, probe.httpGet.port), Number(flagValue(gateway.args, '--port')));
    }

    const service = find(objects, 'Service', 'ai-gateway');
    const serviceSpec = service.spec as { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
    assert.ok(selects(serviceSpec.selector, template.metadata.labels), 'the Service selects the gateway pods');
    assert.ok(!selects(serviceSpec.selector, podTemplateOf(find(objects, 'Deployment', 'ai-gateway-redis')).metadata.labels), 'and not Redis');
    assert.equal(containerPort(gateway, serviceSpec.ports[0]?.targetPort ?? ''), 8080);

    const hpa = find(objects, 'HorizontalPodAutoscaler').spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
    assert.deepEqual([hpa.scaleTargetRef.kind, hpa.scaleTargetRef.name], ['Deployment', 'ai-gateway']);
    assert.ok(hpa.minReplicas >= 2 && hpa.maxReplicas > hpa.minReplicas);

    const pdb = find(objects, 'PodDisruptionBudget').spec as { selector: { matchLabels: Record<string, string> } };
    assert.ok(selects(pdb.selector.matchLabels, template.metadata.labels));

    const monitor = find(objects, 'ServiceMonitor').spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
    assert.ok(selects(monitor.selector.matchLabels, service.metadata.labels), 'the ServiceMonitor selects the Service');
    assert.ok(
      serviceSpec.ports.some((p) => p.name === monitor.endpoints[0]?.port),
      'and scrapes one of its named ports',
    );
    assert.equal(monitor.endpoints[0]?.path, '/metrics');
  });

  it('standalone: the ConfigMap holds a valid config with the Redis store, mounted where --config points', () => {
    const { objects } = standalone;
    const template = podTemplateOf(find(objects, 'Deployment', 'ai-gateway'));
    const gateway = onlyContainer(template);
    const configFile = flagValue(gateway.args, '--config') ?? '';
    const mount = gateway.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(configFile));
    assert.ok(mount, `a volume is mounted at ${path.posix.dirname(configFile)}`);
    const volume = template.spec.volumes?.find((v) => v.name === mount.name);
    const configMap = find(objects, 'ConfigMap', volume?.configMap?.name);
    assert.equal(path.posix.basename(configFile), CONFIG_FILE_KEY);

    // Every variable the config reads is given by the Deployment's env (values are placeholders here).
    const env = Object.fromEntries((gateway.env ?? []).map((e) => [e.name, e.value ?? 'from-a-kubernetes-secret-of-at-least-32-bytes']));
    const result = loadConfigMapConfig(configMap, env);
    assertNoErrors(result, configMap.file);
    const settings = result.config!.gateway;
    assert.equal(settings.store.redis?.url, 'redis://ai-gateway-redis:6379');
    assert.equal(settings.admin.readOnly, true, 'the ConfigMap is the source of truth, so the admin API is read-only');
    const hpa = find(objects, 'HorizontalPodAutoscaler').spec as { maxReplicas: number };
    assert.equal(settings.store.replicas, hpa.maxReplicas, 'store.replicas matches maxReplicas, so the local fallback never exceeds a limit');

    const redis = find(objects, 'Service', 'ai-gateway-redis').spec as { ports: { port: number }[] };
    assert.equal(redis.ports[0]?.port, Number(new URL(settings.store.redis.url).port));
  });

  it('webhook: configuration, Service, Deployment and certificate line up', () => {
    const { objects, kustomization } = webhook;
    const config = find(objects, 'MutatingWebhookConfiguration');
    const hooks = config.webhooks as {
      admissionReviewVersions: string[];
      sideEffects: string;
      failurePolicy: string;
      timeoutSeconds: number;
      clientConfig: { service: { name: string; namespace: string; path: string; port: number } };
      rules: { operations: string[]; resources: string[]; apiGroups: string[] }[];
      namespaceSelector: { matchLabels: Record<string, string> };
    }[];
    assert.equal(hooks.length, 1);
    const hook = hooks[0]!;
    assert.ok(hook.admissionReviewVersions.includes('v1'));
    assert.equal(hook.sideEffects, 'None');
    assert.equal(hook.failurePolicy, 'Ignore');
    assert.ok(hook.timeoutSeconds <= 10);
    assert.deepEqual(hook.rules[0]?.resources, ['pods']);
    assert.ok(hook.rules[0]?.operations.includes('CREATE'));
    assert.equal(hook.clientConfig.service.path, WEBHOOK_PATH);
    assert.equal(hook.clientConfig.service.namespace, kustomization.namespace);

    const service = find(objects, 'Service', hook.clientConfig.service.name);
    const servicePort = (service.spec as { ports: { port: number; targetPort: string }[] }).ports.find((p) => p.port === hook.clientConfig.service.port);
    assert.ok(servicePort, `Service ${service.metadata.name} has port ${hook.clientConfig.service.port}`);
    const deployment = find(objects, 'Deployment', 'ai-gateway-webhook');
    const template = podTemplateOf(deployment);
    const server = onlyContainer(template);
    assert.ok(selects((service.spec as { selector: Record<string, string> }).selector, template.metadata.labels));
    assert.deepEqual(server.args?.slice(0, 1), ['webhook']);
    assert.equal(containerPort(server, servicePort.targetPort), Number(flagValue(server.args, '--port')));
    assert.equal(server.readinessProbe?.httpGet?.scheme, 'HTTPS');
    assert.equal(template.spec.securityContext?.runAsNonRoot, true);

    // The key pair comes from the Secret cert-manager writes for a certificate valid for the Service's DNS name.
    const certificate = find(objects, 'Certificate');
    const certSpec = certificate.spec as { secretName: string; dnsNames: string[] };
    assert.ok(certSpec.dnsNames.includes(`${service.metadata.name}.${kustomization.namespace}.svc`));
    assert.equal(config.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${kustomization.namespace}/${certificate.metadata.name}`);
    for (const flag of ['--tls-cert', '--tls-key']) {
      const file: string = flagValue(server.args, flag) ?? '';
      const mount: { name: string } | undefined = server.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
      const volume: { secret?: { secretName: string } } | undefined = template.spec.volumes?.find((v) => v.name === mount?.name);
      assert.equal(volume?.secret?.secretName, certSpec.secretName, `${flag} ${file} comes from the certificate's Secret`);
    }

    // The injected sidecar runs the same gateway image and ConfigMap as the standalone deployment.
    const standaloneTemplate = podTemplateOf(find(standalone.objects, 'Deployment', 'ai-gateway'));
    assert.equal(flagValue(server.args, '--image'), onlyContainer(standaloneTemplate).image);
    assert.equal(server.image, GATEWAY_IMAGE);
    assert.equal(flagValue(server.args, '--config-map'), find(standalone.objects, 'ConfigMap').metadata.name);
  });

  it('sidecar examples: the hand-written sidecar is what the injector adds, and the annotated pod gets it', () => {
    const manual = readManifestFile(path.join(deployDir, 'sidecar/manual-sidecar.yaml'));
    const handWritten = podTemplateOf(find(manual, 'Deployment')).spec.containers.find((c) => c.name === 'ai-gateway');
    const injected = sidecarContainer({ ...DEFAULT_SIDECAR_OPTIONS, image: GATEWAY_IMAGE }, 8080);
    for (const field of ['image', 'args', 'ports', 'volumeMounts', 'resources', 'securityContext'] as const) {
      assert.deepEqual(handWritten?.[field as keyof ContainerSpec], injected[field], `manual sidecar ${field} matches the injector's`);
    }

    const annotated = readManifestFile(path.join(deployDir, 'sidecar/annotated-deployment.yaml'));
    const template = podTemplateOf(find(annotated, 'Deployment'));
    const pod: Pod = { metadata: structuredClone(template.metadata), spec: structuredClone(template.spec) as Pod['spec'] };
    const plan = planInjection(pod, { ...DEFAULT_SIDECAR_OPTIONS, image: GATEWAY_IMAGE });
    assert.equal(plan.action, 'inject');
    if (plan.action !== 'inject') return;
    const result = applyJsonPatch(pod, plan.patch as PatchOperation[]);
    assert.deepEqual(
      result.spec.containers.map((c) => c.name),
      ['app', 'ai-gateway'],
    );
    const configMap = find(annotated, 'ConfigMap', plan.configMapName);
    assertNoErrors(loadConfigMapConfig(configMap, {}), configMap.file);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stageStarts = instructions.flatMap((l, index) => (l.startsWith('FROM ') ? [index] : []));
  const finalStage = instructions.slice(stageStarts.at(-1));

  it('is multi-stage and runs the final stage as a non-root user with a /healthz health check', () => {
    assert.ok(stageStarts.length >= 2, 'at least two stages');
    const user = finalStage
      .filter((l) => l.startsWith('USER '))
      .at(-1)
      ?.slice(5)
      .trim();
    assert.ok(user && !['root', '0', '0:0'].includes(user), `final stage USER is non-root (got ${user})`);
    const healthcheck = finalStage.find((l) => l.startsWith('HEALTHCHECK '));
    assert.match(healthcheck ?? '', /\/healthz/);
    const port = Number(finalStage.find((l) => l.startsWith('EXPOSE '))?.split(/\s+/)[1]);
    const deployment = onlyContainer(podTemplateOf(find(standalone.objects, 'Deployment', 'ai-gateway')));
    assert.equal(port, containerPort(deployment, 'http'));
    assert.match(finalStage.find((l) => l.startsWith('ENTRYPOINT ')) ?? '', /bin\/ai-gateway-cli\.js/);
  });

  it('copies only paths that exist in the build context and that .dockerignore lets through', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) =>
        l
          .split(/\s+/)
          .slice(1)
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1),
      );
    assert.ok(sources.length > 0);
    for (const source of sources) {
      assert.ok(existsSync(path.join(repoRoot, source)), `COPY source ${source} exists`);
      assert.ok(!ignored.includes(source.split('/')[0] ?? ''), `COPY source ${source} is not excluded by .dockerignore`);
    }
  });
});
