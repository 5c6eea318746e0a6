/**
 * Reads an INI file the way oslo.config does (`oslo_config/iniparser.py`), keeping the line of
 * every value.
 *
 * The `ini` package is not used here on purpose: it strips everything after an unescaped `;` or
 * `#` as an inline comment and JSON-decodes double-quoted values, while oslo.config does neither.
 * A RabbitMQ password such as `s3cr;t` in `transport_url` would be cut short without a word.
 * oslo's rules, reproduced here:
 * - `#` and `;` start a comment only at the beginning of a line;
 * - `key = value` or `key: value` (whichever separator comes first); the value is stripped, and
 *   one pair of matching surrounding quotes is removed;
 * - an indented line continues the previous value (joined with a newline); a blank line ends it;
 * - section names are case-insensitive except `DEFAULT`; a key set twice keeps the last value;
 * - `$name`, `${name}` and `${section.name}` refer to other values, `$$` is a literal `$`.
 */
import type { ConfigProblem } from '../errors.js';

export interface IniValue {
  section: string;
  key: string;
  /** The raw value, before `$` substitution. */
  raw: string;
  /** 1-based line of the key. */
  line: number;
}

export class OsloIniFile {
  private readonly sections = new Map<string, Map<string, IniValue>>();

  constructor(readonly file: string) {}

  /** @internal used by the parser */
  set(value: IniValue): void {
    let section = this.sections.get(value.section);
    if (!section) {
      section = new Map();
      this.sections.set(value.section, section);
    }
    section.set(value.key, value);
  }

  hasSection(section: string): boolean {
    return this.sections.has(normaliseSection(section));
  }

  get(section: string, key: string): IniValue | undefined {
    return this.sections.get(normaliseSection(section))?.get(key);
  }

  /** The value with `$` references substituted, or the reason it cannot be. */
  resolve(entry: IniValue): { ok: true; value: string } | { ok: false; reason: string } {
    return this.substitute(entry, 0);
  }

  private substitute(entry: IniValue, depth: number): { ok: true; value: string } | { ok: false; reason: string } {
    if (depth > 10) return { ok: false, reason: 'has "$" references nested too deeply (a reference loop?)' };
    let failure: string | undefined;
    const value = entry.raw.replace(/\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_.]*)\}|([A-Za-z_][A-Za-z0-9_.]*))/g, (match, dollar, braced, bare) => {
      if (dollar !== undefined) return '$';
      const name = String(braced ?? bare);
      const target = this.lookup(name, entry.section);
      if (target === undefined) {
        failure ??= `refers to $${name}, which is not set in this file (write "$$" for a literal "$")`;
        return match;
      }
      const resolved = this.substitute(target, depth + 1);
      if (!resolved.ok) {
        failure ??= resolved.reason;
        return match;
      }
      return resolved.value;
    });
    return failure === undefined ? { ok: true, value } : { ok: false, reason: failure };
  }

  private lookup(name: string, section: string): IniValue | undefined {
    const dot = name.indexOf('.');
    if (dot > 0) return this.get(name.slice(0, dot), name.slice(dot + 1));
    return this.get(section, name) ?? this.get('DEFAULT', name);
  }
}

export function normaliseSection(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/** Parses the text; syntax errors are returned as problems (oslo.config refuses such a file too). */
export function parseOsloIni(text: string, file: string): { ini: OsloIniFile; problems: ConfigProblem[] } {
  const ini = new OsloIniFile(file);
  const problems: ConfigProblem[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  let section: string | undefined;
  // After a broken header the keys that follow belong to no known section: skip them quietly
  // (the header itself is reported) rather than report each one.
  let inBrokenSection = false;
  let pending: { key: string; parts: string[]; line: number } | undefined;

  const flush = () => {
    if (pending && section !== undefined) {
      ini.set({ section, key: pending.key, raw: pending.parts.join('\n'), line: pending.line });
    }
    pending = undefined;
  };

  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.replace(/\s+$/, '');
    if (line === '') {
      flush();
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (pending) pending.parts.push(line.trimStart());
      else if (!/^\s*[#;]/.test(line)) {
        problems.push({ file, keyPath: '', line: lineNumber, message: 'indented line continues no value (oslo.config rejects this)' });
      }
      return;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) {
        problems.push({ file, keyPath: '', line: lineNumber, message: `section header must end with "]" (got ${JSON.stringify(line)})` });
        section = undefined;
        inBrokenSection = true;
      } else if (line.length <= 2) {
        problems.push({ file, keyPath: '', line: lineNumber, message: 'section header has no name' });
        section = undefined;
        inBrokenSection = true;
      } else {
        section = normaliseSection(line.slice(1, -1));
        inBrokenSection = false;
      }
      return;
    }
    if (line.startsWith('#') || line.startsWith(';')) return;
    const equal = line.indexOf('=');
    const colon = line.indexOf(':');
    if (equal < 0 && colon < 0) {
      problems.push({ file, keyPath: '', line: lineNumber, message: 'expected "key = value", a [section] header or a comment' });
      return;
    }
    const split = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
    const key = line.slice(0, split).trim();
    let value = line.slice(split + 1).trim();
    if (key === '') {
      problems.push({ file, keyPath: '', line: lineNumber, message: 'a value with no key' });
      return;
    }
    if (inBrokenSection) return;
    if (section === undefined) {
      problems.push({ file, keyPath: key, line: lineNumber, message: 'is not inside a [section]' });
      return;
    }
    if (value.length > 0 && (value[0] === '"' || value[0] === "'") && value[0] === value[value.length - 1]) {
      value = value.slice(1, -1);
    }
    pending = { key, parts: [value], line: lineNumber };
  });
  flush();
  return { ini, problems };
}
