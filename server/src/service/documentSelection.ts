// Which documents the server treats as gateway configs: `*.gateway.yaml|yml`, `ai-gateway.yaml|yml`, YAML whose first
// line is `# ai-gateway` or that declares `$schema` to our schema, and extra globs from the `aiGateway.files` setting.
import { globToRegExp } from '../../../common/src/config';

const BY_NAME = /(^|\/)(ai-gateway|[^/]+\.gateway)\.ya?ml$/i;
const FIRST_LINE = /^#\s*ai-gateway\b/;
const SCHEMA_REF = /^\$schema:\s*["']?[^\n]*gateway\.schema\.json/m;

export function isGatewayDocument(uri: string, text: string, extraGlobs: readonly string[] = []): boolean {
  const path = decodeURIComponent(uri.replace(/^[a-z]+:\/\//i, ''));
  if (BY_NAME.test(path)) return true;
  if (FIRST_LINE.test(text)) return true;
  if (/\.ya?ml$/i.test(path) && SCHEMA_REF.test(text.slice(0, 4096))) return true;
  // Globs without a slash match the file name anywhere, as in VS Code's files.associations.
  return extraGlobs.some((glob) => globToRegExp(glob.includes('/') ? `*${glob.replace(/^\*\*\//, '/')}` : `*/${glob}`).test(path));
}
