// Target URLs as the gateway shows them: userinfo and query values hidden, everything else as written.
import { strict as assert } from 'node:assert';
import { redactUrl } from '../../common/src/config';

describe('config: redacted target URLs', () => {
  const cases: [string, string][] = [
    ['http://127.0.0.1:9100', 'http://127.0.0.1:9100'],
    ['https://api.example.com/v1', 'https://api.example.com/v1'],
    ['mock://openai', 'mock://openai'],
    ['http://user:s3cret@host:8080/base', 'http://***@host:8080/base'],
    ['https://tok3n@host/', 'https://***@host/'],
    ['https://host/v1?api_key=abc&api-version=2024-02-01', 'https://host/v1?api_key=***&api-version=***'],
    ['https://host/?bare&x=', 'https://host/?***&x=***'],
    ['http://u:p%40ss@host/a?k=v#frag', 'http://***@host/a?k=***#frag'],
  ];
  for (const [url, shown] of cases) {
    it(`${url} -> ${shown}`, () => assert.equal(redactUrl(url), shown));
  }
});
