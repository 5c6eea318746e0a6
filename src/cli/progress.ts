/**
 * Progress of a long CLI step (a target starting) on stderr: an ora spinner whose text follows the
 * phase when stderr is a terminal; plain lines, one per phase, otherwise (logs, CI, pipes), so
 * nothing writes cursor codes into a file. The command prints its result itself, on stdout.
 */
import ora from 'ora';
import { colorAllowed } from '../util/color.js';

export interface Progress {
  /** The step is now at `text`. */
  update(text: string): void;
  /** Removes the spinner (a no-op for plain lines). */
  stop(): void;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, initial: string): Progress {
  // A pseudo-terminal without a size (columns 0) makes the spinner's redraw arithmetic run away.
  if (stream.isTTY === true && (stream.columns ?? 0) > 0) {
    const spinner = ora({ text: initial, stream, discardStdin: false, color: colorAllowed(stream) ? 'cyan' : false }).start();
    return {
      update: (text) => {
        spinner.text = text;
      },
      stop: () => {
        spinner.stop();
      },
    };
  }
  let last = '';
  const line = (text: string): void => {
    if (text === last) return;
    last = text;
    stream.write(`${text}\n`);
  };
  line(initial);
  return { update: line, stop: () => undefined };
}
