// Hover: the schema's description with the allowed values or an example; on a route, where it resolves to (targets) and
// what protects it; on a security endpoint, the routes it protects.
import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { redactUrl, securityRuleIndex, securityRulesForRoute, type GatewayConfig, type SecurityRule } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';
import { providerAt, providerValueHover, targetField } from './providerHints';
import { describedSchemaAt, enumValueDescription, schemasAt, type JsonPath } from './schemaAt';
import { nodeAtOffset, rangeOfNode } from './yamlNodes';

/** A hover lists this many routes at most (a prefix endpoint may cover thousands). */
const MAX_LISTED_ROUTES = 20;

function example(path: (string | number)[]): string | undefined {
  for (const schema of schemasAt(path)) {
    const first = schema.examples?.[0];
    if (first !== undefined) return typeof first === 'object' ? JSON.stringify(first) : String(first);
  }
  return undefined;
}

function describeRule(rule: SecurityRule): string {
  const limit = rule.rateLimit?.requests ? `, ${rule.rateLimit.requests.source}` : '';
  const methods = rule.methods ? ` (${rule.methods.join(', ')})` : '';
  return `\`${rule.endpoint}\`${methods}: auth **${rule.auth}**${limit}`;
}

function routeSummary(config: GatewayConfig | undefined, index: number): string {
  const route = config?.routes[index];
  if (!config || !route) return '_Resolved targets and security appear once the config has no errors._';
  const targets = route.targets.map((t) => `- ${redactUrl(t.url)}${route.targets.length > 1 ? ` (weight ${t.weight})` : ''}`).join('\n');
  const rules = securityRulesForRoute(config, route);
  const uncovered =
    config.gateway.defaultAuth === 'deny'
      ? '- **closed**: no rule covers it, and `gateway.defaultAuth: deny` refuses it (403)'
      : '- **none**: anyone who can reach the gateway can use it';
  const security = rules.length > 0 ? rules.map((r) => `- ${describeRule(r)}`).join('\n') : uncovered;
  const methods = route.methods ? route.methods.join(', ') : 'any method';
  return `**Route \`${route.name}\`** ${route.path} (${methods}, ${route.loadBalancing})\n\nTargets:\n${targets}\n\nSecurity:\n${security}`;
}

/** The routes a security rule protects (a more specific rule, or one for other methods, takes a route from it). */
function endpointSummary(config: GatewayConfig | undefined, index: number): string {
  const rule = config?.security[index];
  if (!config || !rule) return '_The routes it protects appear once the config has no errors._';
  const rulesFor = securityRuleIndex(config.security);
  const routes = config.routes.filter((route) => rulesFor(route).includes(rule));
  const shown = routes.slice(0, MAX_LISTED_ROUTES).map((r) => `- \`${r.name}\` ${r.path}${r.methods ? ` (${r.methods.join(', ')})` : ''}`);
  if (routes.length > shown.length) shown.push(`- and ${routes.length - shown.length} more`);
  const what = `auth **${rule.auth}**${rule.rateLimit?.requests ? `, ${rule.rateLimit.requests.source}` : ''}`;
  if (routes.length === 0) return `**Security rule \`${rule.endpoint}\`** (${what}) protects no route: a more specific rule covers each route it matches.`;
  return `**Security rule \`${rule.endpoint}\`** (${what}) protects ${routes.length === 1 ? '1 route' : `${routes.length} routes`}:\n${shown.join('\n')}`;
}

/** The values an enum key or value may take, from every schema alternative at `path` (and its items, for a list). */
function allowedValues(path: JsonPath): string[] {
  const values = new Set<string>();
  for (const schema of [...schemasAt(path), ...schemasAt([...path, 0])]) for (const v of schema.enum ?? []) values.add(String(v));
  return [...values];
}

export function doHover(document: TextDocument, position: Position, analysis: GatewayAnalysis, env: Record<string, string | undefined> = {}): Hover | null {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(position));
  if (!found || found.path.length === 0) return null;
  const path = found.path;
  const parts: string[] = [];
  if (path[0] === 'routes' && typeof path[1] === 'number' && (path.length === 2 || path[2] === 'name' || path[2] === 'path')) {
    parts.push(routeSummary(analysis.result.config, path[1]));
  } else if (path[0] === 'security' && typeof path[1] === 'number' && path[2] === 'endpoint' && path.length === 3) {
    parts.push(endpointSummary(analysis.result.config, path[1]));
  } else {
    const target = found.onKey ? undefined : targetField(path);
    const hint =
      target && providerValueHover(target.field, (found.node as { value?: unknown }).value, providerAt(analysis.result.document, target.target), env);
    if (hint) parts.push(hint);
    const schemaPath = typeof path[path.length - 1] === 'number' && !found.onKey ? path.slice(0, -1) : path;
    const schema = describedSchemaAt(schemaPath);
    if (!schema) return null;
    const name = [...schemaPath].reverse().find((p) => typeof p === 'string');
    parts.push(`**${String(name)}**\n\n${schema.markdownDescription ?? schema.description ?? ''}`);
    const allowed = allowedValues(schemaPath);
    const value = found.onKey ? undefined : scalarOf(found.node);
    const valueDescription = value === undefined ? undefined : enumValueDescription(schemaPath, value);
    if (valueDescription) parts.push(`\`${value}\`: ${valueDescription}`);
    if (allowed.length > 0) parts.push(`Allowed values: ${allowed.map((v) => `\`${v}\``).join(', ')}`);
    const sample = example(schemaPath);
    if (allowed.length === 0 && sample !== undefined && !(schema.markdownDescription ?? '').includes('```'))
      parts.push(`Example: \`${String(name)}: ${sample}\``);
  }
  const range = rangeOfNode(document, found.node);
  return { contents: { kind: 'markdown', value: parts.join('\n\n') }, ...(range ? { range } : {}) };
}

/** The text of a scalar node (the hovered value). */
function scalarOf(node: unknown): string | undefined {
  const value = (node as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
