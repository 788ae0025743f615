// The catalog's read API as the page uses it. A catalog served with --protect-reads answers 401 without its key: the
// page asks for it once per tab and keeps it in sessionStorage (never in the URL), then sends it as a bearer token.
import { $ } from './dom.ts';

const API = '/api/v1/';
const KEY = 'sluice-catalog-key';

function askForKey(message: string): Promise<void> {
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
    if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  }
}

/** Percent-encodes one query value or path segment. */
export const enc = encodeURIComponent;
