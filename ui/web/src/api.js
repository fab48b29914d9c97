// Calls to the s3logs ui server. The session cookie goes along by itself
// (same origin); errors carry the server's message.

async function parse(resp) {
  const text = await resp.text();
  let body;
  try { body = JSON.parse(text); } catch { body = { error: text.trim() || resp.statusText }; }
  if (!resp.ok) throw new Error(body.error || resp.statusText);
  return body;
}

export async function get(path, params) {
  const q = params ? '?' + new URLSearchParams(params).toString() : '';
  return parse(await fetch(path + q, { credentials: 'same-origin' }));
}

export async function post(path, body, signal) {
  return parse(await fetch(path, {
    method: 'POST', credentials: 'same-origin', signal,
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }));
}

// newID returns a random query id the server accepts (32 hex digits).
export function newID() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
