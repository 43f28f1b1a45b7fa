// "New Gateway Config": a commented starter config that runs as is against the built-in mock.
import * as vscode from 'vscode';

export const starterConfig = `# ai-gateway
# A local AI gateway. Save to apply: the running gateway reloads this file.
version: 1
gateway:
  listen: 127.0.0.1:8080
  logLevel: info
routes:
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    target: mock://openai          # the built-in OpenAI-compatible mock; use your service's URL here
    timeout: 30s
    retries: 1
    example:
      body:
        model: gpt-4o-mini
        stream: true
        messages: [{ role: user, content: Say hello }]
    tests:
      - name: answers a chat completion
        body: { model: gpt-4o-mini, messages: [{ role: user, content: hi }] }
        expect:
          status: 200
          json: { object: chat.completion }
          maxLatency: 2s
security:
  - endpoint: /v1/chat/completions
    auth: none                     # public while you try it: use api-key or jwt before others can reach it
`;

export async function newGatewayConfig(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) {
    const target = vscode.Uri.joinPath(folder.uri, 'ai-gateway.yaml');
    const exists = await vscode.workspace.fs.stat(target).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await vscode.workspace.fs.writeFile(target, Buffer.from(starterConfig, 'utf8'));
      await vscode.window.showTextDocument(target);
      return;
    }
  }
  const document = await vscode.workspace.openTextDocument({ language: 'ai-gateway-yaml', content: starterConfig });
  await vscode.window.showTextDocument(document);
}
