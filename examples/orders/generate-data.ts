import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { seededRandom } from '../churn/generate-data.ts';

const SEGMENTS = ['retail', 'business'] as const;
const COUNTRIES = ['DE', 'FR', 'NL', 'PL', 'SE'] as const;
const CHANNELS = ['web', 'store', 'phone'] as const;
const BASE_TIME = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

/** The id of the i-th customer (1-based), as both generators write it. */
export function customerId(i: number): string {
  return `C${String(i).padStart(6, '0')}`;
}

/**
 * Writes a deterministic customer snapshot as CSV (the whole table) and returns its row count. `changedSegments`
 * flips the segment of the first n customers, to make a later snapshot that differs from the first.
 */
export async function generateCustomers(
  file: string,
  options: { readonly customers: number; readonly seed?: number; readonly changedSegments?: number },
): Promise<number> {
  const next = seededRandom(options.seed ?? 11);
  const lines = ['customer_id,segment,country,signup_date'];
  for (let i = 1; i <= options.customers; i++) {
    let segment = SEGMENTS[next() < 0.8 ? 0 : 1];
    if (i <= (options.changedSegments ?? 0)) segment = segment === 'retail' ? 'business' : 'retail';
    const country = COUNTRIES[Math.floor(next() * COUNTRIES.length)];
    const signup = new Date(BASE_TIME - Math.floor(next() * 1500) * DAY).toISOString().slice(0, 10);
    lines.push(`${customerId(i)},${segment},${country},${signup}`);
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${lines.join('\n')}\n`);
  return options.customers;
}

/**
 * Writes a deterministic batch of orders as JSON Lines and returns its record count. Orders go to customers
 * 1..`customers`; `unknownCustomers` of them name customers the snapshot does not have (a referential failure).
 */
export async function generateOrders(
  file: string,
  options: { readonly orders: number; readonly customers: number; readonly seed?: number; readonly unknownCustomers?: number },
): Promise<number> {
  const seed = options.seed ?? 23;
  const next = seededRandom(seed);
  const lines: string[] = [];
  for (let i = 1; i <= options.orders; i++) {
    const unknown = i <= (options.unknownCustomers ?? 0);
    const customer = unknown ? `X${String(i).padStart(6, '0')}` : customerId(1 + Math.floor(next() ** 1.5 * options.customers));
    const amount = Math.round((5 + next() * 195) * 100) / 100;
    const channel = CHANNELS[Math.floor(next() * CHANNELS.length)];
    const at = new Date(BASE_TIME + Math.floor(next() * 28 * DAY)).toISOString().replace('.000Z', 'Z');
    lines.push(JSON.stringify({ order_id: `O${seed}-${i}`, customer_id: customer, amount, channel, ordered_at: at }));
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${lines.join('\n')}\n`);
  return options.orders;
}
