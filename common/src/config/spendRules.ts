// Semantic rules of the cost-control keys: what the schema cannot say about `cache` (a semantic cache needs an
// embeddings route of this config, with an exact path) and `budget` (on a public endpoint nobody has a consumer).
import { authOf } from './normalize';
import { list, obj, str, type Finding, type Raw, type RouteView } from './ruleViews';
import { closest } from './suggest';

export function spendRules(root: Raw, routes: RouteView[]): Finding[] {
  return [...cacheRules(root, routes), ...budgetRules(root)];
}

function cacheRules(root: Raw, routes: RouteView[]): Finding[] {
  const byName = new Map(routes.map((route) => [route.name, route]));
  const gatewayCache = obj(obj(root.gateway).cache);
  const out = semanticSettings(gatewayCache, ['gateway', 'cache'], byName);
  for (const route of routes) {
    const cache = route.raw.cache;
    if (cache === null || typeof cache !== 'object' || Array.isArray(cache)) continue;
    const own = cache as Raw;
    // Settings a route leaves out come from gateway.cache, which is checked above.
    if (own.mode === undefined && own.embeddings === undefined) continue;
    out.push(...semanticSettings({ ...gatewayCache, ...own }, ['routes', route.index, 'cache'], byName));
  }
  return out;
}

function semanticSettings(cache: Raw, where: (string | number)[], routes: Map<string, RouteView>): Finding[] {
  if (cache.mode !== 'semantic') return [];
  const route = str(obj(cache.embeddings).route);
  if (route === undefined) {
    return [
      {
        path: [...where, 'mode'],
        severity: 'error',
        code: 'cache.semanticWithoutEmbeddings',
        message:
          'A semantic cache embeds prompts through a route of this config: add embeddings: { route: NAME, model: MODEL } (a route to an OpenAI embeddings API).',
      },
    ];
  }
  const target = routes.get(route);
  const path = [...where, 'embeddings', 'route'];
  if (!target) {
    const near = closest(route, [...routes.keys()]);
    return [
      {
        path,
        severity: 'error',
        code: 'cache.unknownEmbeddingsRoute',
        message: `There is no route named "${route}" to embed prompts with${near ? `: did you mean "${near}"?` : '.'}`,
        ...(near ? { data: { suggestion: near } } : {}),
      },
    ];
  }
  if (/[*:]/.test(target.path)) {
    return [
      {
        path,
        severity: 'error',
        code: 'cache.embeddingsRoutePath',
        message: `The embeddings route "${route}" must have an exact path (like /v1/embeddings) for the cache to send its requests to; "${target.path}" is a pattern.`,
      },
    ];
  }
  return [];
}

function budgetRules(root: Raw): Finding[] {
  return list(root.security).flatMap((entry, index): Finding[] => {
    const rule = obj(entry);
    if (rule.budget === undefined || authOf(rule) !== 'none') return [];
    const budgets = Array.isArray(rule.budget) ? rule.budget : [rule.budget];
    return budgets.flatMap((budget, position): Finding[] =>
      (str(obj(budget).by) ?? 'consumer') === 'consumer'
        ? [
            {
              path: Array.isArray(rule.budget) ? ['security', index, 'budget', position] : ['security', index, 'budget'],
              onKey: !Array.isArray(rule.budget),
              severity: 'warning',
              code: 'budget.noConsumer',
              message: `"${str(rule.endpoint) ?? ''}" is public (auth: none): its callers have no consumer, so they all share one budget.`,
            },
          ]
        : [],
    );
  });
}
