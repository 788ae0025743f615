// The catalog's read API as the page uses it. A catalog served with --protect-reads answers 401 without its key: the
// page asks for it once per tab and keeps it in sessionStorage (never in the URL), then sends it as a bearer token.
import { $ } from './dom.ts';

const API = '/api/v1/';
const KEY = 'sluice-catalog-key';

let asking: Promise<void> | undefined;

// One prompt for all the requests refused meanwhile: each waits for the same key.
function askForKey(message: string): Promise<void> {
  asking ??= prompt(message).finally(() => (asking = undefined));
  return asking;
}

function prompt(message: string): Promise<void> {
  return new Promise((resolve) => {
    const form = $<HTMLFormElement>('#key-form');
    const input = $<HTMLInputElement>('#key');
    $('#key-message').textContent = message;
    form.hidden = false;
    input.focus();
    form.onsubmit = (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, input.value);
      input.value = '';
      form.hidden = true;
      resolve();
    };
  });
}

/** GETs `/api/v1/<path>`, answered in the Marquez shape `T`; asks for the key while the catalog refuses it. */
export async function get<T>(path: string): Promise<T> {
  for (;;) {
    const key = sessionStorage.getItem(KEY);
    const res = await fetch(API + path, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    if (res.status === 401) {
      await askForKey(key ? 'The catalog refused that key; enter the right one.' : 'This catalog needs its API key to read.');
      continue;
    }
    if (!res.ok) throw new Error(await failure(path, res));
    return (await res.json()) as T;
  }
}

// The catalog's errors are `{code, message}` and say what was wrong; anything else is shown as it came.
async function failure(path: string, res: Response): Promise<string> {
  const text = (await res.text()).slice(0, 300);
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return `${body.message} (${res.status} from /api/v1/${path.split('?')[0]})`;
  } catch {
    // Not JSON: shown as it came.
  }
  return `/api/v1/${path}: ${res.status} ${text}`;
}

/** The key this tab was given for a catalog that protects reads, if any (for code that calls the API itself). */
export const catalogKey = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;

/** Percent-encodes one query value or path segment. */
export const enc = encodeURIComponent;
