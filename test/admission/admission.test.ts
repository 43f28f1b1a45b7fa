// The sidecar injector as the API server uses it: AdmissionReview fixtures in, the returned JSON Patch applied
// to the pod, and the resulting pod checked for what the kubelet would run.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidAdmissionReview, reviewAdmission } from '../../runtime/src/admission/review';
import { DEFAULT_SIDECAR_OPTIONS, type SidecarOptions } from '../../runtime/src/admission/sidecar';
import type { AdmissionReview, Container, Pod } from '../../runtime/src/admission/types';
import { repoRoot } from '../support/cli';
import { applyJsonPatch, type PatchOperation } from './jsonPatch';

const options: SidecarOptions = { ...DEFAULT_SIDECAR_OPTIONS, image: 'registry.example/ai-gateway:test' };

function fixture(name: string): AdmissionReview {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test/admission/fixtures', name), 'utf8')) as AdmissionReview;
}

function podOf(review: AdmissionReview): Pod {
  return review.request?.object as Pod;
}

function withPod(review: AdmissionReview, edit: (pod: Pod) => void): AdmissionReview {
  const copy = structuredClone(review);
  edit(podOf(copy));
  return copy;
}

/** Reviews, checks the envelope, and returns the pod as the API server would store it. */
function admit(review: AdmissionReview): { pod: Pod; response: NonNullable<AdmissionReview['response']> } {
  const { review: answer } = reviewAdmission(review, options);
  const response = answer.response;
  assert.ok(response, 'the answer carries a response');
  assert.equal(answer.apiVersion, 'admission.k8s.io/v1');
  assert.equal(answer.kind, 'AdmissionReview');
  assert.equal(response.uid, review.request?.uid, 'response.uid echoes request.uid');
  if (!response.patch) return { pod: podOf(review), response };
  assert.equal(response.patchType, 'JSONPatch');
  const operations = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as PatchOperation[];
  return { pod: applyJsonPatch(podOf(review), operations), response };
}

function sidecarOf(pod: Pod): Container {
  const sidecar = pod.spec.containers.find((c) => c.name === 'ai-gateway');
  assert.ok(sidecar, 'the pod has the ai-gateway container');
  return sidecar;
}

describe('admission webhook: sidecar injection', () => {
  it('injects the gateway container and its config volume into a pod annotated aimlops/gateway: "true"', () => {
    const review = fixture('create-annotated-pod.json');
    const { pod, response } = admit(review);
    assert.equal(response.allowed, true);

    assert.deepEqual(
      pod.spec.containers.map((c) => c.name),
      ['model', 'ai-gateway'],
    );
    assert.deepEqual(pod.spec.containers[0], podOf(review).spec.containers[0], 'the app container is untouched');
    const sidecar = sidecarOf(pod);
    assert.equal(sidecar.image, 'registry.example/ai-gateway:test');
    assert.deepEqual(sidecar.args, ['start', '--config', '/etc/ai-gateway/ai-gateway.yaml', '--host', '0.0.0.0', '--port', '8080']);
    assert.deepEqual(sidecar.ports, [{ name: 'gateway', containerPort: 8080, protocol: 'TCP' }]);
    assert.deepEqual((sidecar.readinessProbe as { httpGet: unknown }).httpGet, { path: '/healthz', port: 'gateway' });
    assert.equal((sidecar.securityContext as { runAsNonRoot: boolean }).runAsNonRoot, true);

    // The mount refers to a volume that exists, backed by the default ConfigMap; the token volume is kept.
    const mounts = sidecar.volumeMounts as { name: string; mountPath: string; readOnly: boolean }[];
    assert.deepEqual(mounts, [{ name: 'ai-gateway-config', mountPath: '/etc/ai-gateway', readOnly: true }]);
    assert.deepEqual(
      pod.spec.volumes?.map((v) => v.name),
      ['kube-api-access-x7k2p', 'ai-gateway-config'],
    );
    assert.deepEqual(pod.spec.volumes?.[1], { name: 'ai-gateway-config', configMap: { name: 'ai-gateway-config' } });
    assert.equal(pod.metadata?.annotations?.['aimlops/gateway-injected'], 'true');
  });

  it('is idempotent: the injected pod sent again (reinvocation, retry) gets no second sidecar', () => {
    const first = admit(fixture('create-annotated-pod.json')).pod;
    const again = withPod(fixture('create-annotated-pod.json'), (pod) => Object.assign(pod, first));
    const { pod, response } = admit(again);
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
    assert.equal(pod.spec.containers.filter((c) => c.name === 'ai-gateway').length, 1);

    // A pod that already has an ai-gateway container (sidecar written by hand) is left alone too.
    const handWritten = withPod(fixture('create-annotated-pod.json'), (p) => {
      p.spec.containers.push({ name: 'ai-gateway', image: 'mine' });
    });
    assert.equal(admit(handWritten).response.patch, undefined);
  });

  it('creates the volume list when the pod has none', () => {
    const review = withPod(fixture('create-annotated-pod.json'), (pod) => {
      delete pod.spec.volumes;
      delete pod.spec.containers[0]?.volumeMounts;
    });
    const { pod } = admit(review);
    assert.deepEqual(pod.spec.volumes, [{ name: 'ai-gateway-config', configMap: { name: 'ai-gateway-config' } }]);
  });

  it('leaves pods without the annotation, or with "false", unchanged and silent', () => {
    const plain = admit(fixture('create-plain-pod.json'));
    assert.equal(plain.response.allowed, true);
    assert.equal(plain.response.patch, undefined);
    assert.equal(plain.response.warnings, undefined);

    const optedOut = admit(withPod(fixture('create-annotated-pod.json'), (p) => (p.metadata!.annotations!['aimlops/gateway'] = 'false')));
    assert.equal(optedOut.response.patch, undefined);
    assert.equal(optedOut.response.warnings, undefined);
  });

  it('warns when the annotation has a value other than "true" or "false"', () => {
    const { response } = admit(withPod(fixture('create-annotated-pod.json'), (p) => (p.metadata!.annotations!['aimlops/gateway'] = 'yes')));
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
    assert.deepEqual(response.warnings, ['aimlops/gateway is "yes"; only "true" injects the gateway sidecar']);
  });

  it('takes the ConfigMap and port from the pod annotations', () => {
    const review = withPod(fixture('create-annotated-pod.json'), (p) => {
      p.metadata!.annotations!['aimlops/gateway-config'] = 'team-a-gateway';
      p.metadata!.annotations!['aimlops/gateway-port'] = '18080';
    });
    const { pod } = admit(review);
    assert.deepEqual(pod.spec.volumes?.[1], { name: 'ai-gateway-config', configMap: { name: 'team-a-gateway' } });
    const sidecar = sidecarOf(pod);
    assert.deepEqual(sidecar.ports, [{ name: 'gateway', containerPort: 18080, protocol: 'TCP' }]);
    assert.equal((sidecar.args as string[]).at(-1), '18080');
  });

  it('refuses, saying why, a pod whose app already uses the gateway port or names a bad ConfigMap', () => {
    const clash = withPod(fixture('create-annotated-pod.json'), (p) => p.spec.containers[0]!.ports!.push({ containerPort: 8080 }));
    const clashed = admit(clash).response;
    assert.equal(clashed.allowed, false);
    assert.equal(clashed.status?.code, 400);
    assert.match(clashed.status?.message ?? '', /container "model" already uses port 8080.*aimlops\/gateway-port/);

    const badName = withPod(fixture('create-annotated-pod.json'), (p) => (p.metadata!.annotations!['aimlops/gateway-config'] = 'Team_A'));
    assert.match(admit(badName).response.status?.message ?? '', /aimlops\/gateway-config: "Team_A" is not a valid ConfigMap name/);

    const badPort = withPod(fixture('create-annotated-pod.json'), (p) => (p.metadata!.annotations!['aimlops/gateway-port'] = '99999'));
    assert.match(admit(badPort).response.status?.message ?? '', /aimlops\/gateway-port: "99999" is not a port number/);
  });

  it('answers `kubectl annotate pod ai-pod aimlops/gateway=true` on a running pod with a warning, not a patch', () => {
    const { response } = admit(fixture('update-annotate-running-pod.json'));
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
    assert.equal(response.warnings?.length, 1);
    assert.match(response.warnings?.[0] ?? '', /cannot add the gateway sidecar to a running pod.*pod template/);
  });

  it('lets other kinds and operations through untouched', () => {
    const deletion = structuredClone(fixture('create-annotated-pod.json'));
    deletion.request!.operation = 'DELETE';
    assert.deepEqual(admit(deletion).response, { uid: deletion.request!.uid, allowed: true });

    const secret = structuredClone(fixture('create-plain-pod.json'));
    secret.request!.kind = { group: '', version: 'v1', kind: 'Secret' };
    secret.request!.object = { metadata: { name: 's' }, data: {} };
    assert.deepEqual(admit(secret).response, { uid: secret.request!.uid, allowed: true });
  });

  it('rejects what is not an admission.k8s.io/v1 AdmissionReview with a message naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [[], /body: expected a JSON object/],
      [{ ...fixture('create-plain-pod.json'), apiVersion: 'admission.k8s.io/v1beta1' }, /apiVersion: expected "admission.k8s.io\/v1".*admissionReviewVersions/],
      [{ ...fixture('create-plain-pod.json'), kind: 'Pod' }, /kind: expected "AdmissionReview"/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request: missing/],
      [withUid(''), /request.uid: expected a non-empty string/],
      [withPod(fixture('create-plain-pod.json'), (p) => ((p.spec as unknown as Record<string, unknown>).containers = 'x')), /request.object.spec.containers/],
    ];
    for (const [body, message] of cases) {
      assert.throws(
        () => reviewAdmission(body, options),
        (err: unknown) => err instanceof InvalidAdmissionReview && message.test(err.message),
      );
    }
  });
});

function withUid(uid: string): AdmissionReview {
  const review = fixture('create-plain-pod.json');
  review.request!.uid = uid;
  return review;
}
