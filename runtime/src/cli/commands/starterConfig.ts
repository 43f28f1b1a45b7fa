// The commented config `init --config FILE` writes when FILE does not exist: valid as is, and a guide to the rest.
export const STARTER_CONFIG = `# AI Gateway config: routes, security and gateway settings.
# Check it:  ai-gateway-cli validate THIS_FILE
# Run it:    ai-gateway-cli start --config THIS_FILE   (changes apply while it runs)
# Push it:   ai-gateway-cli apply                       (to the gateway of your current context)
version: 1

gateway:
  listen: 127.0.0.1:8080 # host:port the gateway serves on
  logLevel: info # trace | debug | info | warn | error | fatal | silent

routes:
  # An OpenAI-compatible route served by the built-in mock: point target at your model server.
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    target: mock://openai
    timeout: 30s
  # More routes: ai-gateway-cli add-route --path /predict --target http://ai-service:8080 --method POST

security:
  # Public while you try it out: use auth: api-key or auth: jwt before other people can reach the gateway.
  - endpoint: /v1/chat/completions
    auth: none
    rateLimit: 60/min
`;
