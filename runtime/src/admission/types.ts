// The parts of Kubernetes' admission.k8s.io/v1 AdmissionReview and core/v1 Pod that the sidecar injector
// reads or writes. Everything else in the pod passes through untouched, so these types stay open-ended.

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** The pod annotation that asks for the gateway sidecar (`kubectl annotate pod ai-pod aimlops/gateway=true`). */
export const INJECT_ANNOTATION = 'aimlops/gateway';
/** Set on the pod by the injector, so a second pass (reinvocation, replayed request) injects nothing. */
export const INJECTED_ANNOTATION = 'aimlops/gateway-injected';
/** Optional: the ConfigMap holding `ai-gateway.yaml` for this pod, instead of the injector's default. */
export const CONFIG_ANNOTATION = 'aimlops/gateway-config';
/** Optional: the port the sidecar listens on, when the default collides with an app container. */
export const PORT_ANNOTATION = 'aimlops/gateway-port';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  [key: string]: unknown;
}

export interface Volume {
  name: string;
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: PodSpec;
  [key: string]: unknown;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind?: { group: string; version: string; kind: string };
  namespace?: string;
  name?: string;
  operation: AdmissionOperation;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  [key: string]: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  patch?: string; // base64 of the JSON Patch (RFC 6902) document
  status?: { code: number; message: string };
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** One RFC 6902 operation; the injector only ever adds. */
export interface JsonPatchAdd {
  op: 'add';
  path: string;
  value: unknown;
}
