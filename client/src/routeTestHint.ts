// What "Run Route Tests" says when there is nothing to run: where tests go, with one to copy.
import * as path from 'node:path';
import * as vscode from 'vscode';

/** One route test, inline, valid as it stands under a route (the schema's "Route test" snippet writes it as block lines). */
export const ROUTE_TEST_EXAMPLE = 'tests: [{ name: answers 200, expect: { status: 200 } }]';

export function noRouteTestsMessage(document: vscode.TextDocument | undefined): string {
  const where = document ? `${path.basename(document.uri.fsPath)} has no route tests` : 'No open gateway config has route tests';
  return `${where}. Add a "tests:" list under a route, for example  ${ROUTE_TEST_EXAMPLE}  (or complete "tests" there), then run Route Tests again.`;
}

export function showNoRouteTests(document: vscode.TextDocument | undefined): void {
  void vscode.window.showInformationMessage(noRouteTestsMessage(document));
}
