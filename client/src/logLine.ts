// One JSON log line of the gateway (pino) as the output channel shows it: the level, the message and the fields
// that matter to a person reading along (route, status, durations), not pino's bookkeeping.

export interface LogLine {
  level: number; // pino's numbers: 10 trace .. 60 fatal
  msg: string;
  fields: Record<string, unknown>;
  text: string;
}

const bookkeeping = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

export function parseLogLine(line: string): LogLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { level: 30, msg: line, fields: {}, text: line };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { level: 30, msg: line, fields: {}, text: line };
  const record = parsed as Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(record).filter(([key]) => !bookkeeping.has(key)));
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  const extras = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return { level: typeof record['level'] === 'number' ? record['level'] : 30, msg, fields, text: [msg, ...extras].join(' ') };
}
