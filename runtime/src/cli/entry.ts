// Process entry of `ai-gateway-cli`: runs the command and turns its result into the exit code. A worker process of
// gateway.workers runs this program too (node:cluster forks it), and serves as its primary tells it.
import { isGatewayWorker, runGatewayWorker } from '../workers';
import { main } from './main';

if (isGatewayWorker()) runGatewayWorker();
else runCli();

function runCli(): void {
  main(process.argv).then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err: unknown) => {
      // Exit now, whatever is still open (a listener, a Redis connection): a command that failed must not keep running.
      process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`, () => process.exit(1));
    },
  );
}
