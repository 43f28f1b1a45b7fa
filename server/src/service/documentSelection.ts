// Which documents the server treats as gateway configs: those the editor gave the gateway language (by file name,
// first line, or the user's `files.associations`), and, from any editor, `*.gateway.yaml|yml`, `ai-gateway.yaml|yml`
// and YAML whose first line is `# ai-gateway` or that declares `$schema` to our schema.
import { Lsp } from '../../../common/src/protocol';

const BY_NAME = /(^|\/)(ai-gateway|[^/]+\.gateway)\.ya?ml$/i;
const FIRST_LINE = /^#\s*ai-gateway\b/;
const SCHEMA_REF = /^\$schema:\s*["']?[^\n]*gateway\.schema\.json/m;

export function isGatewayDocument(languageId: string, uri: string, text: string): boolean {
  if (languageId === Lsp.languageId) return true;
  const path = decodeURIComponent(uri.replace(/^[a-z]+:\/\//i, ''));
  if (BY_NAME.test(path)) return true;
  if (FIRST_LINE.test(text)) return true;
  return /\.ya?ml$/i.test(path) && SCHEMA_REF.test(text.slice(0, 4096));
}
