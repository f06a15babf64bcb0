import type { Argv } from 'yargs';
import { editDistance, suggestFlag } from './suggest';

/**
 * A yargs failure message made into one line that says what was wrong and, where a near match
 * exists, what was probably meant: unknown flags, an unknown command, a value outside the choices.
 *
 * @example
 * usageMessage('Did you mean sync?', ['snyc'], parser) // 'Unknown command: snyc (did you mean sync?)'
 */
export function usageMessage(message: string, argv: readonly string[], parser: Argv): string {
  return (
    unknownFlags(message, parser) ??
    unknownCommand(message, argv) ??
    invalidChoice(message, argv) ??
    message.replace(/\s*\n\s*/g, ' ')
  );
}

function unknownFlags(message: string, parser: Argv): string | undefined {
  const unknown = /Unknown arguments?: (.+)/.exec(message)?.[1];
  if (unknown === undefined) return undefined;
  const known = Object.keys(
    (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key,
  );
  const flags = unknown
    .split(', ')
    .filter((flag, _, all) => !all.some((o) => o !== flag && camel(o) === flag));
  const hints = flags.map((flag) => suggestFlag(flag, known)).filter((h) => h !== undefined);
  const base = `Unknown argument${flags.length > 1 ? 's' : ''}: ${flags.join(', ')}`;
  return hints.length > 0 ? `${base} (did you mean ${hints.join(', ')}?)` : base;
}

/** yargs' `recommendCommands` message names only its guess, not what was typed. */
function unknownCommand(message: string, argv: readonly string[]): string | undefined {
  const guess = /^Did you mean (.+)\?$/.exec(message)?.[1];
  const typed = argv.find((a) => !a.startsWith('-'));
  if (guess === undefined || typed === undefined) return undefined;
  return `Unknown command: ${typed} (did you mean ${guess}?)`;
}

/** `Invalid values: Argument: conflict, Given: "newst", Choices: "newest", …` on one line. */
function invalidChoice(message: string, argv: readonly string[]): string | undefined {
  const match = /Argument: ([\w-]+), Given: ("[^"]*"|\S+), Choices: (.+)$/.exec(message.replace(/\n/g, ' '));
  if (match === null) return undefined;
  const [, flag = '', given = '', list = ''] = match;
  const choices = list.split(', ').map((c) => c.replace(/^"|"$/g, ''));
  const onCommandLine = argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  const where = onCommandLine
    ? ''
    : ` from SYNCHRO_${flag.toUpperCase().replace(/-/g, '_')} or the config file`;
  const near = nearest(given.replace(/^"|"$/g, ''), choices);
  const hint = near === undefined ? '' : `; did you mean ${near}?`;
  return `Invalid value for --${flag}${where}: ${given} (choose ${choices.join(', ')}${hint})`;
}

function nearest(typed: string, choices: readonly string[]): string | undefined {
  const scored = choices.map((c) => ({ c, d: editDistance(typed, c) })).filter((s) => s.d <= 2);
  return scored.sort((a, b) => a.d - b.d)[0]?.c;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
