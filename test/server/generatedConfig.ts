// A large, realistic gateway config for the speed tests and `npm run bench:lsp`: N routes of about 9 lines and
// one 3-line security rule each (2,000 routes is about 24,000 lines).

export function generatedConfig(routeCount: number): string {
  const lines: string[] = ['# ai-gateway', 'version: 1', 'gateway:', '  listen: 127.0.0.1:8080', '  logLevel: info', 'routes:'];
  for (let i = 0; i < routeCount; i++) {
    lines.push(
      `  - name: route-${i}`,
      `    path: /v1/service-${i}/chat`,
      '    methods: [POST]',
      '    targets:',
      `      - url: http://127.0.0.1:${9000 + (i % 1000)}`,
      '        weight: 2',
      `      - url: mock://openai`,
      '    timeout: 30s',
      '    retries: 2',
    );
  }
  lines.push('security:');
  for (let i = 0; i < routeCount; i++) {
    lines.push(`  - endpoint: /v1/service-${i}/chat`, '    auth: none', '    rateLimit: 100/min');
  }
  return `${lines.join('\n')}\n`;
}
