// A small RFC 6902 applier for the tests, written from the RFC rather than taken from the injector, so a wrong
// pointer or a wrong "add to a missing array" in the webhook's patch fails here as it would in the API server.

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

export function applyJsonPatch<T>(document: T, operations: PatchOperation[]): T {
  let result = structuredClone(document) as unknown;
  for (const [index, operation] of operations.entries()) {
    try {
      result = applyOne(result, operation);
    } catch (err) {
      throw new Error(`patch operation ${index} (${operation.op} ${operation.path}): ${(err as Error).message}`);
    }
  }
  return result as T;
}

function applyOne(document: unknown, operation: PatchOperation): unknown {
  const tokens = parsePointer(operation.path);
  if (tokens.length === 0) {
    if (operation.op === 'add' || operation.op === 'replace') return structuredClone(operation.value);
    throw new Error(`unsupported on the root`);
  }
  const parent = resolve(document, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] as string;
  switch (operation.op) {
    case 'add':
      add(parent, last, structuredClone(operation.value));
      return document;
    case 'replace':
      read(parent, last);
      remove(parent, last);
      add(parent, last, structuredClone(operation.value));
      return document;
    case 'remove':
      read(parent, last);
      remove(parent, last);
      return document;
    case 'test':
      if (JSON.stringify(read(parent, last)) !== JSON.stringify(operation.value)) throw new Error('test failed');
      return document;
    default:
      throw new Error(`unsupported op "${operation.op}"`);
  }
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(document: unknown, tokens: string[]): Container {
  let node = document;
  for (const token of tokens) node = read(asContainer(node), token);
  return asContainer(node);
}

function asContainer(node: unknown): Container {
  if (typeof node !== 'object' || node === null) throw new Error('path goes through a value that is not an object or array');
  return node as Container;
}

function arrayIndex(array: unknown[], token: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return array.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`"${token}" is not an array index`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) throw new Error(`index ${index} out of range`);
  return index;
}

function read(parent: Container, token: string): unknown {
  if (Array.isArray(parent)) return parent[arrayIndex(parent, token, false)];
  if (!Object.prototype.hasOwnProperty.call(parent, token)) throw new Error(`member "${token}" does not exist`);
  return parent[token];
}

function add(parent: Container, token: string, value: unknown): void {
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, true), 0, value);
  else parent[token] = value;
}

function remove(parent: Container, token: string): void {
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, false), 1);
  else delete parent[token];
}
