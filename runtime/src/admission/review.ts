// AdmissionReview in, AdmissionReview out: the whole mutating webhook as a pure function.
import { planInjection, type InjectionPlan } from './inject';
import type { SidecarOptions } from './sidecar';
import {
  ADMISSION_API_VERSION,
  INJECTED_ANNOTATION,
  INJECT_ANNOTATION,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReview,
  type Pod,
} from './types';

/** The request body is not an AdmissionReview; the server answers 400 with this message. */
export class InvalidAdmissionReview extends Error {}

export type ReviewOutcome = 'injected' | 'skipped' | 'refused' | 'warned';

export interface ReviewResult {
  review: AdmissionReview;
  outcome: ReviewOutcome;
  detail: string;
}

export function reviewAdmission(body: unknown, options: SidecarOptions): ReviewResult {
  const request = readRequest(body);
  const pod = readPod(request);
  if (!pod) return answer({ uid: request.uid, allowed: true }, 'skipped', 'not a pod');

  if (request.operation === 'UPDATE') return reviewUpdate(request, pod);
  if (request.operation !== 'CREATE') {
    return answer({ uid: request.uid, allowed: true }, 'skipped', `operation ${request.operation}`);
  }
  return answerPlan(request, planInjection(pod, options));
}

function answerPlan(request: AdmissionRequest, plan: InjectionPlan): ReviewResult {
  const uid = request.uid;
  switch (plan.action) {
    case 'inject': {
      const patch = Buffer.from(JSON.stringify(plan.patch)).toString('base64');
      const detail = `sidecar on port ${plan.port}, config from ConfigMap ${plan.configMapName}`;
      return answer({ uid, allowed: true, patchType: 'JSONPatch', patch }, 'injected', detail);
    }
    case 'refuse':
      return answer({ uid, allowed: false, status: { code: 400, message: plan.message } }, 'refused', plan.message);
    case 'skip': {
      const response: AdmissionResponse = { uid, allowed: true };
      if (plan.warning) response.warnings = [plan.warning];
      return answer(response, plan.warning ? 'warned' : 'skipped', plan.reason);
    }
  }
}

// Kubernetes does not let containers be added to a running pod, so an annotation added later can only warn.
function reviewUpdate(request: AdmissionRequest, pod: Pod): ReviewResult {
  const annotations = pod.metadata?.annotations ?? {};
  const response: AdmissionResponse = { uid: request.uid, allowed: true };
  if (annotations[INJECT_ANNOTATION] !== 'true' || annotations[INJECTED_ANNOTATION] === 'true') {
    return answer(response, 'skipped', 'update without a new injection request');
  }
  response.warnings = [
    `${INJECT_ANNOTATION}=true takes effect when the pod is created: Kubernetes cannot add the gateway sidecar to a running pod. ` +
      'Put the annotation on the pod template (Deployment, StatefulSet) or recreate the pod.',
  ];
  return answer(response, 'warned', 'annotation added to a running pod');
}

function answer(response: AdmissionResponse, outcome: ReviewOutcome, detail: string): ReviewResult {
  return { review: { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response }, outcome, detail };
}

function readRequest(body: unknown): AdmissionRequest {
  if (!isObject(body)) throw new InvalidAdmissionReview('body: expected a JSON object (an AdmissionReview)');
  if (body.kind !== 'AdmissionReview') {
    throw new InvalidAdmissionReview(`kind: expected "AdmissionReview", got ${JSON.stringify(body.kind)}`);
  }
  if (body.apiVersion !== ADMISSION_API_VERSION) {
    throw new InvalidAdmissionReview(
      `apiVersion: expected "${ADMISSION_API_VERSION}", got ${JSON.stringify(body.apiVersion)} (set admissionReviewVersions: ["v1"])`,
    );
  }
  const request = body.request;
  if (!isObject(request)) throw new InvalidAdmissionReview('request: missing');
  if (typeof request.uid !== 'string' || request.uid === '') {
    throw new InvalidAdmissionReview('request.uid: expected a non-empty string');
  }
  if (typeof request.operation !== 'string') throw new InvalidAdmissionReview('request.operation: expected a string');
  return request as AdmissionRequest;
}

function readPod(request: AdmissionRequest): Pod | undefined {
  if (request.kind && (request.kind.kind !== 'Pod' || request.kind.group !== '')) return undefined;
  const object = request.object;
  if (!isObject(object)) return undefined;
  const spec = object.spec;
  if (!isObject(spec) || !Array.isArray(spec.containers)) {
    throw new InvalidAdmissionReview("request.object.spec.containers: expected the pod's container list");
  }
  const metadata = object.metadata;
  if (metadata !== undefined && !isObject(metadata)) throw new InvalidAdmissionReview('request.object.metadata: expected an object');
  if (isObject(metadata) && metadata.annotations !== undefined && !isObject(metadata.annotations)) {
    throw new InvalidAdmissionReview('request.object.metadata.annotations: expected an object');
  }
  return object as Pod;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
