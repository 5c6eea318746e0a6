/**
 * The demo's stand-in for cyborg-conductor: an RPC server on the demo's conductor topic (the
 * project's own bus, wire-compatible with oslo.messaging) whose `report_data` records each report
 * and hands it to the demo for printing. It checks nothing a real conductor checks; the interop
 * tests do that with real oslo.versionedobjects.
 */
import { DemoStepError } from '../errors.js';
import type { BusTransport, RpcServer } from '../../bus/index.js';
import { PythonException } from '../../bus/index.js';

export interface ReceivedRegistration {
  hostname: string;
  devices: RegisteredDevice[];
  at: number;
}

export interface RegisteredDevice {
  bdf: string;
  vendor: string;
  model: string;
  stub: boolean;
  target: string | null;
  deployables: Array<{ name: string; count: number; resourceClass: string; traits: string[]; attachInfo: string[] }>;
}

export class DemoConductor {
  readonly registrations: ReceivedRegistration[] = [];
  private readonly listeners = new Set<() => void>();
  private server: RpcServer | null = null;

  constructor(private readonly onRegistration: (report: ReceivedRegistration) => void = () => undefined) {}

  /** Serves `topic` as `server` (the agent casts report_data to the topic, so the name is only a label). */
  async start(transport: BusTransport, topic: string, server = 'demo-conductor'): Promise<void> {
    this.server = transport.createServer({
      topic,
      servers: [server],
      endpoints: [
        {
          className: 'ConductorManager',
          methods: {
            report_data: {
              required: ['hostname', 'driver_device_list'],
              handler: (_ctx, args) => {
                const report = readRegistration(args.hostname, args.driver_device_list);
                this.registrations.push(report);
                this.onRegistration(report);
                for (const listener of this.listeners) listener();
                return null;
              },
            },
          },
        },
      ],
    });
    await this.server.start();
  }

  /** Resolves with the first report after the `count` already received; rejects after `timeoutMs`. */
  waitForRegistration(count: number, timeoutMs: number): Promise<ReceivedRegistration> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const report = this.registrations[count];
        if (report) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(report);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new DemoStepError(`no report_data within ${timeoutMs / 1000} s`, { timeoutMs }));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    await this.server?.stop({ timeoutMs: 2000 });
  }
}

/** A report_data call's arguments, read back (throws a TypeError for the caller on a malformed one). */
export function readRegistration(hostname: unknown, list: unknown): ReceivedRegistration {
  if (typeof hostname !== 'string' || !Array.isArray(list)) throw PythonException.typeError('report_data(hostname: str, driver_device_list: list)');
  return { hostname, devices: list.map(readDevice), at: Date.now() };
}

function dataOf(primitive: unknown): Record<string, unknown> {
  const data = (primitive as Record<string, unknown> | null)?.['cyborg_object.data'];
  if (typeof data !== 'object' || data === null) throw PythonException.valueError('not a versioned object primitive');
  return data as Record<string, unknown>;
}

function readDevice(primitive: unknown): RegisteredDevice {
  const data = dataOf(primitive);
  const cpid = JSON.parse(String(dataOf(data.controlpath_id).cpid_info)) as Record<string, string>;
  let target: string | null = null;
  try {
    target = (JSON.parse(String(data.vendor_board_info)) as { spdk_target?: string }).spdk_target ?? null;
  } catch {
    // Not the agent's JSON: shown without a target.
  }
  return {
    bdf: `${cpid.domain}:${cpid.bus}:${cpid.device}.${cpid.function}`,
    vendor: String(data.vendor),
    model: String(data.model),
    stub: data.stub === true,
    target,
    deployables: (data.deployable_list as unknown[]).map((d) => {
      const dep = dataOf(d);
      const attributes = (dep.attribute_list as unknown[]).map(dataOf);
      return {
        name: String(dep.name),
        count: Number(dep.num_accelerators),
        resourceClass: String(attributes.find((a) => a.key === 'rc')?.value ?? '?'),
        traits: attributes.filter((a) => String(a.key).startsWith('trait')).map((a) => String(a.value)),
        attachInfo: (dep.attach_handle_list as unknown[]).map((h) => `${String(dataOf(h).attach_type)} ${String(dataOf(h).attach_info)}`),
      };
    }),
  };
}
