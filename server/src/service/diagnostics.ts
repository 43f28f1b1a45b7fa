// The config model's diagnostics as LSP diagnostics: the same ranges, codes and messages `validate` prints.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Diagnostic as ConfigDiagnostic } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';

const SEVERITY: Record<ConfigDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(d: ConfigDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'ai-gateway',
    message: d.message,
    // The quick fixes read this back: the config model's data plus the JSON path of the problem.
    data: { ...d.data, jsonPath: d.path },
  };
}

export function validate(analysis: GatewayAnalysis): Diagnostic[] {
  if (analysis.tooLarge) {
    const megabytes = (analysis.tooLarge.bytes / 1024 / 1024).toFixed(1);
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
        severity: DiagnosticSeverity.Information,
        code: 'document.tooLarge',
        source: 'ai-gateway',
        message: `This file is ${megabytes} MB, too large to validate while typing. Run \`ai-gateway-cli validate\` on it.`,
      },
    ];
  }
  return analysis.result.diagnostics.map(toLspDiagnostic);
}
