/**
 * Parses the agent's YAML and remembers on which line every key and list item starts.
 *
 * js-yaml returns plain objects with no positions, but error messages must say
 * `agent.yaml:14: spdk.targets[0].app: …`. js-yaml's `listener` reports the opening and closing of
 * every node it composes; replaying those events as a tree gives, for each mapping, its key and
 * value nodes in order and, for each list, its items. Only node boundaries are used, so every
 * YAML style js-yaml accepts (block, flow, quoted keys, anchors) is handled by js-yaml itself.
 */
import yaml from 'js-yaml';
import { ConfigError } from '../errors.js';
import { formatKeyPath, type KeyPath } from '../key-path.js';

export interface YamlDocument {
  /** What js-yaml parsed (null or undefined for an empty file). */
  data: unknown;
  /** The 1-based line of a key or list item; falls back to the nearest enclosing one. */
  lineOf(path: KeyPath): number | undefined;
}

interface Frame {
  /** 0-based line and offset where js-yaml opened the node (for keys and items: where they start). */
  openLine: number;
  openPos: number;
  closePos: number;
  kind: string | null;
  result: unknown;
  children: Frame[];
}

export function parseYamlDocument(text: string, file: string): YamlDocument {
  const stack: Frame[] = [];
  let root: Frame | undefined;
  let data: unknown;
  try {
    data = yaml.load(text, {
      filename: file,
      listener(event, state) {
        if (event === 'open') {
          stack.push({ openLine: state.line, openPos: state.position, closePos: -1, kind: null, result: undefined, children: [] });
          return;
        }
        const frame = stack.pop();
        if (frame === undefined) return;
        frame.kind = (state as unknown as { kind: string | null }).kind;
        frame.result = (state as unknown as { result: unknown }).result;
        frame.closePos = state.position;
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(frame);
        else root = frame;
      },
    });
  } catch (err) {
    throw syntaxError(err, file);
  }

  const lines = new Map<string, number>();
  if (root !== undefined) walk(root, [], new Source(text), lines);
  return {
    data,
    lineOf(path) {
      for (let n = path.length; n > 0; n--) {
        const line = lines.get(formatKeyPath(path.slice(0, n)));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}

function syntaxError(err: unknown, file: string): ConfigError {
  if (err instanceof yaml.YAMLException) {
    const mark = err.mark as { line?: number; column?: number } | undefined;
    const line = mark?.line === undefined ? undefined : mark.line + 1;
    const column = mark?.column === undefined ? '' : ` (column ${mark.column + 1})`;
    return new ConfigError([{ file, keyPath: '', line, message: `YAML syntax error${column}: ${err.reason}` }], {
      cause: err,
    });
  }
  return new ConfigError([{ file, keyPath: '', message: `cannot parse: ${String(err)}` }], { cause: err });
}

/**
 * js-yaml sometimes composes a node inside a node of the same value (a flow collection or a
 * scalar where a block mapping could have started): descend to the one holding the children.
 */
function unwrap(frame: Frame): Frame {
  let current = frame;
  while (current.children.length === 1 && Object.is(current.children[0]!.result, current.result)) {
    current = current.children[0]!;
  }
  return current;
}

function walk(frame: Frame, path: Array<string | number>, source: Source, lines: Map<string, number>): void {
  const node = unwrap(frame);
  if (node.kind === 'mapping') walkMapping(node, path, source, lines);
  else if (node.kind === 'sequence') walkSequence(node, path, source, lines);
}

function walkMapping(node: Frame, path: Array<string | number>, source: Source, lines: Map<string, number>): void {
  const children = node.children;
  const merges: Array<{ line: number; value: unknown }> = [];
  for (let i = 0; i < children.length; i++) {
    const keyFrame = children[i]!;
    // A value follows a key exactly when the next thing after the key is ':'. (Flow entries such as
    // `{a, b: 1}` and explicit `? key` entries may have no value node at all.)
    const valueFrame = source.followedByColon(keyFrame.closePos) ? children[i + 1] : undefined;
    if (valueFrame) i++;
    if (keyFrame.kind !== 'scalar' || keyFrame.result === null || typeof keyFrame.result === 'object') continue;
    const key = String(keyFrame.result);
    if (key === '<<' && valueFrame) {
      merges.push({ line: keyFrame.openLine + 1, value: valueFrame.result });
      continue;
    }
    const keyPath = [...path, key];
    const id = formatKeyPath(keyPath);
    if (!lines.has(id)) lines.set(id, keyFrame.openLine + 1);
    if (valueFrame) walk(valueFrame, keyPath, source, lines);
  }
  // Keys brought in by a merge (`<<: *base`) and not overridden here are reported on the `<<` line.
  for (const merge of merges) {
    const sources = Array.isArray(merge.value) ? merge.value : [merge.value];
    for (const merged of sources) {
      if (merged === null || typeof merged !== 'object') continue;
      for (const key of Object.keys(merged)) {
        const id = formatKeyPath([...path, key]);
        if (!lines.has(id)) lines.set(id, merge.line);
      }
    }
  }
}

function walkSequence(node: Frame, path: Array<string | number>, source: Source, lines: Map<string, number>): void {
  const items = Array.isArray(node.result) ? node.result : [];
  // An empty block item (`-` followed by a less indented line) is stored as null without a node
  // of its own: find its `-` in the text, so that it and the items after it get their own lines.
  let next = 0;
  let cursor = node.openPos;
  for (let index = 0; index < items.length; index++) {
    const itemPath = [...path, index];
    const child = node.children[next];
    if (child === undefined || (items[index] === null && !Object.is(unwrap(child).result, null))) {
      const dash = source.nextItemDash(cursor);
      if (dash !== undefined) {
        lines.set(formatKeyPath(itemPath), source.lineAt(dash));
        cursor = dash + 1;
      }
      continue;
    }
    next++;
    lines.set(formatKeyPath(itemPath), child.openLine + 1);
    walk(child, itemPath, source, lines);
    cursor = child.closePos;
  }
}

/** The raw text, for the few questions node boundaries alone do not answer. */
class Source {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  /** 1-based line of an offset. */
  lineAt(position: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= position) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** Whether the next token after `position` (past blanks and comments) is ':'. */
  followedByColon(position: number): boolean {
    let i = position;
    while (i < this.text.length) {
      const ch = this.text[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
        i++;
      } else if (ch === '#') {
        while (i < this.text.length && this.text[i] !== '\n') i++;
      } else {
        return ch === ':';
      }
    }
    return false;
  }

  /** Offset of the next block-sequence `-` at or after `from` that starts its line (after indentation). */
  nextItemDash(from: number): number | undefined {
    const pattern = /^[ \t]*-(?=[ \t\r\n]|$)/gm;
    pattern.lastIndex = this.lineStarts[this.lineAt(from) - 1]!;
    for (let match = pattern.exec(this.text); match !== null; match = pattern.exec(this.text)) {
      const dash = match.index + match[0].length - 1;
      if (dash >= from) return dash;
    }
    return undefined;
  }
}
