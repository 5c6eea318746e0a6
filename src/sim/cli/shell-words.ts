/**
 * Splits an environment variable into words the way a POSIX shell would for a simple command:
 * whitespace separates, single quotes keep everything, double quotes keep everything but `\"` and
 * `\\`, a backslash outside quotes escapes the next character. No expansion of any kind.
 */
import { SimOptionError } from '../errors.js';

export function shellWords(text: string, source: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new SimOptionError(`${source}: unterminated single quote`, { option: source, value: text });
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) j++;
        word += text[j];
      }
      if (j >= text.length) throw new SimOptionError(`${source}: unterminated double quote`, { option: source, value: text });
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
