// A saved config the running gateway refused: the problem is shown, and the last good config keeps serving.
import * as vscode from 'vscode';
import type { Diagnostic } from '../../common/src/config';
import type { GatewayProcess } from './gatewayProcess';

export function showConfigRejection(outcome: { applied: boolean; diagnostics: Diagnostic[] }, gateway: GatewayProcess, log: vscode.LogOutputChannel): void {
  if (outcome.applied) {
    log.info('The local gateway applied the saved config');
    return;
  }
  const first = outcome.diagnostics[0];
  const where = first ? ` (line ${first.range.start.line + 1}: ${first.message})` : '';
  const file = 'configPath' in gateway.state ? vscode.workspace.asRelativePath(gateway.state.configPath) : 'the config';
  void vscode.window
    .showErrorMessage(`The local gateway refused the change to ${file}${where}; it keeps serving the last good config.`, 'Show Problems', 'Show Logs')
    .then((choice) => {
      if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      if (choice === 'Show Logs') log.show(true);
    });
}
