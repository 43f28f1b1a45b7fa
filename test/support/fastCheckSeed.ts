// Property tests explore new random cases on a developer's machine, but CI replays one fixed seed so that main
// stays green for reasons of the code, not of the dice. FC_SEED=N replays any run.
import fc from 'fast-check';

const fixed = process.env.FC_SEED ?? (process.env.CI ? '20261126' : undefined);
if (fixed !== undefined) {
  fc.configureGlobal({ seed: Number(fixed) });
  process.stderr.write(`fast-check: seed ${fixed}\n`);
}
