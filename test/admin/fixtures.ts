// Configs the control-plane tests start gateways on: written the way a person writes them (comments, blank
// lines, flow lists, aligned trailing comments), so a test can see that an admin change keeps all of it.

export const COMMENTED_CONFIG = `# AI gateway for the ML team
version: 1

gateway:
  listen: 127.0.0.1:8080 # tests override the port
  logLevel: info

routes:
  # chat goes to the built-in mock
  - name: chat
    path: /v1/chat/completions   # OpenAI style
    methods: [POST]
    target: mock://openai
    timeout: 30s

security:
  - endpoint: /v1/chat/completions
    auth: none   # public while testing
    rateLimit: 1000/min
`;

/** The same config with routes last, so appended routes land at the end of the file. */
export const ROUTES_LAST_CONFIG = `# routes only
gateway:
  logLevel: info

security:
  - endpoint: /v1/chat/completions
    auth: none

routes:
  # the one route we start with
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    target: mock://openai
`;

export function chatRequest(): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  };
}
