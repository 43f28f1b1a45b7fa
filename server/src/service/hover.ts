// Hover: the schema's description with an example; on a route, where it resolves to (targets) and what protects it.
import type { Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { redactUrl, securityRulesForRoute, type GatewayConfig, type SecurityRule } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';
import { describedSchemaAt, schemasAt } from './schemaAt';
import { nodeAtOffset, rangeOfNode } from './yamlNodes';

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
  const security = rules.length > 0 ? rules.map((r) => `- ${describeRule(r)}`).join('\n') : '- **none**: anyone who can reach the gateway can use it';
  const methods = route.methods ? route.methods.join(', ') : 'any method';
  return `**Route \`${route.name}\`** ${route.path} (${methods}, ${route.loadBalancing})\n\nTargets:\n${targets}\n\nSecurity:\n${security}`;
}

export function doHover(document: TextDocument, position: Position, analysis: GatewayAnalysis): Hover | null {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(position));
  if (!found || found.path.length === 0) return null;
  const path = found.path;
  const parts: string[] = [];
  if (path[0] === 'routes' && typeof path[1] === 'number' && (path.length === 2 || path[2] === 'name' || path[2] === 'path')) {
    parts.push(routeSummary(analysis.result.config, path[1]));
  } else {
    const schemaPath = typeof path[path.length - 1] === 'number' && !found.onKey ? path.slice(0, -1) : path;
    const schema = describedSchemaAt(schemaPath);
    if (!schema) return null;
    const name = [...schemaPath].reverse().find((p) => typeof p === 'string');
    parts.push(`**${String(name)}**\n\n${schema.markdownDescription ?? schema.description ?? ''}`);
    const sample = example(schemaPath);
    if (sample !== undefined && !(schema.markdownDescription ?? '').includes('```')) parts.push(`Example: \`${String(name)}: ${sample}\``);
  }
  const range = rangeOfNode(document, found.node);
  return { contents: { kind: 'markdown', value: parts.join('\n\n') }, ...(range ? { range } : {}) };
}
