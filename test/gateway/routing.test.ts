// The route table on its own: which route a request gets, and when it is a 404 or a 405.
import { strict as assert } from 'node:assert';
import { compileRoutes, MODEL_NOT_READ, type RouteLookup, type RouteQuery } from '../../runtime/src/gateway/routing/compileRoutes';
import { configFromYaml } from './support';

function table(routesYaml: string) {
  return compileRoutes(configFromYaml(`routes:\n${routesYaml}`));
}

function lookup(routes: ReturnType<typeof table>, query: Partial<RouteQuery> & { path: string }): RouteLookup {
  return routes.find({ method: 'GET', headers: {}, model: MODEL_NOT_READ, ...query });
}

function matchedName(result: RouteLookup): string | undefined {
  return result.kind === 'matched' ? result.route.name : undefined;
}

describe('route table', () => {
  const routes = table(`
  - { name: all-v1, path: /v1/*, target: http://127.0.0.1:1 }
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: http://127.0.0.1:2 }
  - { name: model, path: /v1/models/:id, methods: [GET], target: http://127.0.0.1:3 }
  - { name: models, path: /v1/models, methods: [GET], target: http://127.0.0.1:4 }
  - { name: research, path: /v1/chat/completions, methods: [POST], match: { headers: { x-team: research }, model: "gpt-4*" }, target: http://127.0.0.1:5 }
  - { name: predict, path: /predict, methods: [POST, PUT], target: http://127.0.0.1:6 }
`);

  it('prefers an exact path over a prefix declared before it', () => {
    assert.equal(matchedName(lookup(routes, { method: 'POST', path: '/v1/chat/completions' })), 'chat');
    assert.equal(matchedName(lookup(routes, { path: '/v1/models' })), 'models');
  });

  it('matches :param segments and returns their decoded values', () => {
    const result = lookup(routes, { path: '/v1/models/gpt%2D4o' });
    assert.equal(matchedName(result), 'model');
    assert.deepEqual(result.kind === 'matched' && result.params, { id: 'gpt-4o' });
  });

  it('falls back to the prefix route for anything else under it', () => {
    assert.equal(matchedName(lookup(routes, { path: '/v1/audio/speech', method: 'POST' })), 'all-v1');
    assert.equal(lookup(routes, { path: '/v2/other' }).kind, 'not-found');
  });

  it('asks for the body only when a candidate route matches on the model', () => {
    const withoutTeam = lookup(routes, { method: 'POST', path: '/v1/chat/completions' });
    assert.equal(matchedName(withoutTeam), 'chat');
    const withTeam = { method: 'POST', path: '/v1/chat/completions', headers: { 'x-team': 'research' } };
    assert.equal(lookup(routes, withTeam).kind, 'needs-model');
    assert.equal(matchedName(lookup(routes, { ...withTeam, model: 'gpt-4o' })), 'research');
    assert.equal(matchedName(lookup(routes, { ...withTeam, model: 'claude-3' })), 'chat');
    assert.equal(matchedName(lookup(routes, { ...withTeam, model: undefined })), 'chat');
  });

  it('answers 405 with every allowed method when only the method is wrong', () => {
    const result = lookup(routes, { method: 'DELETE', path: '/predict' });
    assert.equal(result.kind, 'method-not-allowed');
    assert.deepEqual(result.kind === 'method-not-allowed' && result.allow, ['POST', 'PUT']);
  });

  it('is not a 405 when another route of the path (here the prefix) accepts the method', () => {
    assert.equal(matchedName(lookup(routes, { method: 'GET', path: '/v1/chat/completions' })), 'all-v1');
  });

  it('tolerates a trailing slash on exact paths', () => {
    assert.equal(matchedName(lookup(routes, { method: 'POST', path: '/predict/' })), 'predict');
  });

  it('matches header values as globs and is case-insensitive on header names', () => {
    const headerRoutes = table(`
  - { name: beta, path: /x, match: { headers: { X-Channel: "beta-*" } }, target: http://127.0.0.1:1 }
  - { name: plain, path: /x, target: http://127.0.0.1:2 }
`);
    assert.equal(matchedName(lookup(headerRoutes, { path: '/x', headers: { 'x-channel': 'beta-7' } })), 'beta');
    assert.equal(matchedName(lookup(headerRoutes, { path: '/x', headers: { 'x-channel': 'stable' } })), 'plain');
  });

  it('prefers more literal segments: /a/b/* over /a/*, and /a/:id over /a/*', () => {
    const nested = table(`
  - { name: a, path: /a/*, target: http://127.0.0.1:1 }
  - { name: ab, path: /a/b/*, target: http://127.0.0.1:2 }
  - { name: aid, path: /a/:id, target: http://127.0.0.1:3 }
`);
    assert.equal(matchedName(lookup(nested, { path: '/a/b/c' })), 'ab');
    assert.equal(matchedName(lookup(nested, { path: '/a/z' })), 'aid');
    assert.equal(matchedName(lookup(nested, { path: '/a/z/y' })), 'a');
  });
});
