// The model scan of a body prefix (an unauthenticated request on a model-matched route) against JSON.parse: on any
// JSON object it finds the model JSON.parse finds, and on any prefix of one it finds that model or says the prefix
// ends first; never another model.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { modelInJsonPrefix, modelOfJsonBody } from '../../runtime/src/gateway/routing/modelField';

const otherKey = fc.string({ maxLength: 8 }).filter((key) => key !== 'model');
const value = fc.jsonValue({ maxDepth: 3 });
const bodyWithModel = fc
  .tuple(fc.dictionary(otherKey, value, { maxKeys: 4 }), fc.option(fc.string({ maxLength: 12 })), fc.dictionary(otherKey, value, { maxKeys: 4 }), fc.boolean())
  .map(([before, model, after, spaced]) => {
    const object = { ...before, ...(model === null ? {} : { model }), ...Object.fromEntries(Object.entries(after).filter(([key]) => !(key in before))) };
    return Buffer.from(JSON.stringify(object, null, spaced ? 2 : undefined), 'utf8');
  });

describe('gateway: the model in a JSON body prefix', () => {
  it('agrees with JSON.parse on whole bodies and never names another model in a prefix', () => {
    fc.assert(
      fc.property(bodyWithModel, fc.nat(), (body, cut) => {
        const expected = modelOfJsonBody(body);
        const whole = modelInJsonPrefix(body);
        assert.deepEqual(whole, expected === undefined ? { kind: 'none' } : { kind: 'found', model: expected });
        const prefix = modelInJsonPrefix(body.subarray(0, cut % (body.length + 1)));
        if (prefix.kind === 'found') assert.equal(prefix.model, expected);
        else assert.ok(prefix.kind === 'not-within' || (prefix.kind === 'none' && expected === undefined), JSON.stringify(prefix));
      }),
      { numRuns: 500 },
    );
  });

  it('finds an escaped key, refuses a second "model", and reads non-objects as having none', () => {
    assert.deepEqual(modelInJsonPrefix(Buffer.from('{"mod\\u0065l":"gpt-4o","input":"')), { kind: 'found', model: 'gpt-4o' });
    assert.deepEqual(modelInJsonPrefix(Buffer.from('{"model":"a","x":1,"model":"b","input":"')), { kind: 'ambiguous' });
    assert.deepEqual(modelInJsonPrefix(Buffer.from('["model","gpt"]')), { kind: 'none' });
    assert.deepEqual(modelInJsonPrefix(Buffer.from('{"model":42,"input":"')), { kind: 'none' });
    assert.deepEqual(modelInJsonPrefix(Buffer.from('{"messages":[{"model":"inner"}],"input":"xx')), { kind: 'not-within' });
  });
});
