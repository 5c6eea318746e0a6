/** The raw oslo.messaging captures of test/fixtures/amqp, for the unit tests of the bus layer. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { amqpFixturesDir } from '../../helpers/paths.js';

export interface CapturedMessage {
  body: string;
  exchange: string;
  routing_key: string;
  properties: Record<string, unknown>;
  'oslo.message': Record<string, unknown>;
  'failure (decoded)'?: Record<string, unknown>;
}

function load(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(amqpFixturesDir, file), 'utf8')) as Record<string, unknown>;
}

/** Every request of A and every reply of B and D, with where it came from. */
export function capturedMessages(): Array<{ name: string; message: CapturedMessage }> {
  const out: Array<{ name: string; message: CapturedMessage }> = [];
  for (const [name, scenario] of Object.entries(load('A_oslo_requests.json'))) {
    for (const message of (scenario as { wire?: CapturedMessage[] }).wire ?? []) out.push({ name: `A.${name}`, message });
  }
  for (const [name, scenario] of Object.entries(load('B_oslo_replies.json'))) {
    for (const message of (scenario as { replies: CapturedMessage[] }).replies) out.push({ name: `B.${name}`, message });
  }
  for (const [name, scenario] of Object.entries(load('D_raw_agent_report_data.json'))) {
    for (const message of (scenario as { replies?: CapturedMessage[] }).replies ?? []) out.push({ name: `D.${name}`, message });
  }
  return out;
}

/** The captured failure replies: name → the failure string as the wire carried it. */
export function capturedFailures(): Array<{ name: string; failure: string; decoded: Record<string, unknown> }> {
  return capturedMessages()
    .filter(({ message }) => typeof message['oslo.message'].failure === 'string')
    .map(({ name, message }) => ({ name, failure: message['oslo.message'].failure as string, decoded: message['failure (decoded)'] ?? {} }));
}

/** The admin context keys and values of the captured call (in wire order, without the prefix). */
export function capturedContext(): Array<[string, unknown]> {
  const call = (load('A_oslo_requests.json').call_ping as { wire: CapturedMessage[] }).wire[0]!;
  const inner = JSON.parse(JSON.parse(call.body)['oslo.message'] as string) as Record<string, unknown>;
  return Object.entries(inner)
    .filter(([key]) => key.startsWith('_context_'))
    .map(([key, value]) => [key.slice('_context_'.length), value]);
}
