/**
 * A value that must never be printed: the broker password.
 *
 * Wrapping it (rather than keeping a plain string and hoping every caller redacts) means a config
 * object can be logged, JSON-serialised, inspected or interpolated into a message and the password
 * still does not appear. The value lives in a private field, so `Object.entries`, spreading and
 * `structuredClone` do not see it either. Only `reveal()` gives it out.
 */
import { inspect } from 'node:util';
import { PASSWORD_MASK } from '../util/broker-url.js';

/** What is shown in place of a secret: the same mask as in a broker URL. */
export const MASK = PASSWORD_MASK;

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real value: for the one place that hands it to the broker client. */
  reveal(): string {
    return this.#value;
  }

  /** True when both hold the same value (without revealing either). */
  equals(other: Secret | string | undefined): boolean {
    if (other === undefined) return false;
    return this.#value === (other instanceof Secret ? other.reveal() : other);
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}
