// The model list: one entry per provider with its date and sources, unique names, prices that make sense where
// they are filled, and look-ups that accept the spellings providers accept (Bedrock's region prefixes, "models/").
import { strict as assert } from 'node:assert';
import { PROVIDERS } from '../../runtime/src/providers';
import { knownModel, MODEL_LISTS, modelListIsClosed } from '../../runtime/src/providers/models';

describe('model list', () => {
  it('has a dated, sourced list for every provider, names unique, prices plausible', () => {
    assert.deepEqual(Object.keys(MODEL_LISTS).sort(), [...PROVIDERS].sort());
    for (const [provider, list] of Object.entries(MODEL_LISTS)) {
      assert.match(list.writtenOn, /^\d{4}-\d{2}-\d{2}$/, provider);
      assert.ok(list.source.length > 10 && list.pricesSource.length > 3, provider);
      const names = list.models.map((model) => model.name);
      assert.equal(new Set(names).size, names.length, `${provider}: duplicate names`);
      for (const model of list.models) {
        for (const price of [model.inputPerMTok, model.outputPerMTok, model.cachedInputPerMTok])
          assert.ok(price === undefined || (price >= 0 && price < 1000), `${provider} ${model.name}`);
        if (model.cachedInputPerMTok !== undefined)
          assert.ok(model.inputPerMTok !== undefined && model.cachedInputPerMTok < model.inputPerMTok, `${model.name}: cache reads cost less than input`);
        if (model.kind === 'embedding') assert.equal(model.outputPerMTok, undefined, `${model.name}: embeddings have no output price`);
      }
    }
  });

  it('finds models the way providers name them, and says which lists are closed', () => {
    assert.equal(knownModel('anthropic', 'claude-haiku-4-5')?.inputPerMTok, 1);
    assert.equal(knownModel('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')?.outputPerMTok, 15);
    assert.equal(knownModel('gemini', 'models/gemini-2.5-flash')?.kind, 'chat');
    assert.equal(knownModel('openai', 'text-embedding-3-small')?.kind, 'embedding');
    assert.equal(knownModel('openai', 'gpt-4o-mini')?.cachedInputPerMTok, 0.075);
    assert.equal(knownModel('anthropic', 'claude-made-up'), undefined);
    assert.deepEqual(
      ['openai', 'azure-openai', 'anthropic', 'gemini', 'bedrock', 'ollama', 'openai-compatible'].filter((p) => modelListIsClosed(p as never)),
      ['openai', 'anthropic', 'gemini', 'bedrock'],
    );
  });
});
