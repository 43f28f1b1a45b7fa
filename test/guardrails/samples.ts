// Sample personal data and secrets for the guardrail tests. Secrets are assembled at run time from harmless pieces,
// so no secret scanner (vsce's, a git host's) finds a key-shaped literal in this repository; none of them is real.

/** Repeats an alphabet to `length` characters: key bodies with letters and digits. */
function body(length: number, alphabet = 'aB3dE5gH7jK9mN2pQ4sT6vW8yZ1'): string {
  let out = '';
  while (out.length < length) out += alphabet;
  return out.slice(0, length);
}

export const SECRETS = {
  openai: ['sk', 'proj', body(48)].join('-'),
  openaiLegacy: ['sk', body(48)].join('-'),
  anthropic: ['sk', 'ant', 'api03', body(93)].join('-') + 'AA',
  github: ['ghp', body(36)].join('_'),
  githubPat: ['github', 'pat', body(22), body(59)].join('_'),
  slack: ['xoxb', '1234567890', '0987654321', body(24)].join('-'),
  google: 'AI' + 'za' + body(35, 'Sy0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT_u-'),
  stripe: ['sk', 'live', body(24)].join('_'),
  awsAccessKeyId: 'AK' + 'IA' + 'IOSFODNN7EXAMPLE', // AWS's documented example id
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'EXAMPLEKEY', // AWS's documented example secret
  jwt: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.'),
  privateKey: ['-----BEGIN RSA PRIVATE', ' KEY-----\nMIIEowIBAAKCAQEA', body(64), '\n', body(40), '\n-----END RSA PRIVATE', ' KEY-----'].join(''),
};
