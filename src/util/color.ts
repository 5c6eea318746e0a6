/**
 * Whether a stream may carry ANSI colours: only a terminal, and never when the user said no
 * (`NO_COLOR` set to anything but the empty string, https://no-color.org; the CLI's `--no-color`
 * sets it for the whole process and what it starts).
 */
export function colorAllowed(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
