import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';

/** Options of {@link generateCustomers}. */
export interface GenerateOptions {
  readonly rows: number;
  /** Make a batch that breaks the data tests (duplicates, negative charges) and has untypable rows. */
  readonly bad?: boolean;
  readonly seed?: number;
}

const PLANS = ['basic', 'standard', 'premium'] as const;
const PRICES = { basic: 19.5, standard: 49, premium: 89 } as const;
const BASE_TIME = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

/** A small, fast, seeded PRNG (mulberry32), so the same options always give the same file. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes a deterministic customer extract as CSV and returns how many data rows it holds. */
export async function generateCustomers(file: string, options: GenerateOptions): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const next = seededRandom(options.seed ?? (options.bad ? 7 : 42));
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('customer_id,signup_date,plan,monthly_charges,tenure_months,support_tickets,last_login,auto_renew\n');
  let chunk = '';
  for (let i = 1; i <= options.rows; i++) {
    const plan = PLANS[Math.floor(next() * 3)] ?? 'basic';
    const tenure = Math.floor(next() * 72);
    const signup = new Date(BASE_TIME - tenure * 30 * DAY - Math.floor(next() * 30) * DAY).toISOString().slice(0, 10);
    let charges = (PRICES[plan] + Math.round(next() * 2000) / 100).toFixed(2);
    const tickets = Math.floor(next() ** 3 * 12);
    const lastLogin = new Date(BASE_TIME - Math.floor(next() * 60 * DAY)).toISOString().replace('.000Z', 'Z');
    const renew = next() < 0.6 ? 'true' : 'false';
    let id = `C${String(i).padStart(7, '0')}`;
    let tenureText = String(tenure);
    if (options.bad) {
      const r = next();
      if (r < 0.02)
        id = `C${String(Math.max(1, i - 1)).padStart(7, '0')}`; // duplicate of the previous customer
      else if (r < 0.03)
        charges = `-${charges}`; // a refund booked as a charge
      else if (r < 0.035) tenureText = 'twelve'; // not an integer: rejected at ingest
    }
    chunk += `${id},${signup},${plan},${charges},${tenureText},${tickets},${lastLogin},${renew}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return options.rows;
}
