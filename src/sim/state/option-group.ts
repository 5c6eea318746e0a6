/**
 * A settable group of options (`bdev_set_options`, `iobuf_set_options`, …): the defaults a fresh
 * v24.01 target reports in `framework_get_config`, strict decoding of updates, and the config entry
 * that replays the current values.
 */
import type { JsonValue } from '../json/json-parser.js';
import { decodeParams, type Schema } from '../rpc/decode.js';
import type { ConfigEntry } from './bdev.js';

export class OptionGroup {
  private readonly values: Record<string, unknown>;

  constructor(
    readonly method: string,
    defaults: Record<string, unknown>,
    private readonly schema: Schema,
    private readonly options: { relaxed?: boolean; optionalParams?: boolean } = {},
  ) {
    this.values = { ...defaults };
  }

  /** Applies `params`; throws DecodeFailure like SPDK's decoder. Returns the decoded members. */
  apply(params: JsonValue | undefined): Record<string, unknown> {
    const decoded = decodeParams(params, this.schema, { relaxed: this.options.relaxed, optional: this.options.optionalParams });
    for (const [key, value] of Object.entries(decoded)) {
      if (value !== undefined && key in this.values) this.values[key] = value;
    }
    return decoded;
  }

  get(key: string): unknown {
    return this.values[key];
  }

  snapshot(): Record<string, unknown> {
    return { ...this.values };
  }

  configEntry(): ConfigEntry {
    return { method: this.method, params: this.snapshot() };
  }
}
