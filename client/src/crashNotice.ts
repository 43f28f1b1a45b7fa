// A crash of the local gateway is said out loud, not only in the status bar: a warning when it restarts by itself
// (with the backoff delay), an error with a Restart button when it will not (restartOnCrash off, or a restart failed).
// A start the user asked for that fails is reported by the Start command itself, so it is not repeated here.
import * as vscode from 'vscode';
import type { GatewayProcess, GatewayState } from './gatewayProcess';

export function reportGatewayCrashes(gateway: GatewayProcess, log: vscode.LogOutputChannel): vscode.Disposable {
  let previous: GatewayState = gateway.state;
  let beforePrevious: GatewayState = previous;
  return gateway.onDidChangeState((state) => {
    const wasServing = previous.kind === 'running';
    const wasRestarting = previous.kind === 'starting' && beforePrevious.kind === 'crashed';
    beforePrevious = previous;
    previous = state;
    if (state.kind !== 'crashed' || !(wasServing || wasRestarting)) return;
    if (state.restartInMs !== undefined) {
      const seconds = Math.max(1, Math.round(state.restartInMs / 1000));
      void vscode.window.showWarningMessage(`${state.message}; restarting it in ${seconds} s.`, 'Show Logs').then((choice) => choice && log.show(true));
      return;
    }
    void vscode.window.showErrorMessage(`${state.message}.`, 'Restart', 'Show Logs').then((choice) => {
      if (choice === 'Restart') void vscode.commands.executeCommand('aiGateway.restart');
      if (choice === 'Show Logs') log.show(true);
    });
  });
}
