// The page's side of the credential (src-renderer/lib/host-token.ts): ?token= moves to
// sessionStorage once and leaves the address bar (path and hash kept); a reload finds it there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiProtocols, takeHostToken } from '../../src-renderer/lib/host-token';

function page(href: string) {
  const store = new Map<string, string>();
  const location = { href };
  const history = {
    state: null,
    replaceState: (_state: unknown, _title: string, url: string) => (location.href = new URL(url, location.href).href),
  };
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  return { location, history, storage };
}

test('the token moves from the URL to sessionStorage and the address bar keeps path, other query and hash', () => {
  const p = page('http://127.0.0.1:5000/?token=abc_DEF-1&x=1#/quantize');
  assert.equal(takeHostToken(p.location, p.history, p.storage), 'abc_DEF-1');
  assert.equal(p.location.href, 'http://127.0.0.1:5000/?x=1#/quantize');
  // A reload: no token in the URL, the tab still has it.
  assert.equal(takeHostToken(p.location, p.history, p.storage), 'abc_DEF-1');
  assert.deepEqual(apiProtocols('abc_DEF-1'), ['edgequant', 'edgequant.token.abc_DEF-1']);
});

test('a page opened without the token has none and offers only the plain protocol', () => {
  const p = page('http://127.0.0.1:5000/#/projects');
  assert.equal(takeHostToken(p.location, p.history, p.storage), null);
  assert.equal(p.location.href, 'http://127.0.0.1:5000/#/projects');
  assert.deepEqual(apiProtocols(null), ['edgequant']);
});
