// Options: server address and token in chrome.storage.local, a connection test, and the
// permission request for a server that is not on this machine.

import { MSG, ask } from '../shared/messages.js';
import { DEFAULTS, isBuiltInServer, normalizeServerUrl, readSettings } from '../shared/settings.js';
import { describe } from '../shared/state-text.js';

const form = document.getElementById('settings');
const urlInput = document.getElementById('serverUrl');
const tokenInput = document.getElementById('apiToken');
const result = document.getElementById('result');

function show(text, ok) {
  result.textContent = text;
  result.dataset.ok = String(ok);
}

function readForm() {
  return { server: normalizeServerUrl(urlInput.value), apiToken: tokenInput.value.trim() };
}

// Must run inside the click: Chrome only shows the permission prompt during a user gesture.
async function ensurePermission(server) {
  if (isBuiltInServer(server.url)) return true;
  try {
    return await chrome.permissions.request({ origins: [server.originPattern] });
  } catch (error) {
    show(`Could not ask for permission: ${error?.message ?? error}`, false);
    return false;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const { server, apiToken } = readForm();
  if (!server.ok) return show(server.error, false);
  if (!apiToken) return show('Paste the API token too.', false);
  if (!(await ensurePermission(server))) return show('microscout needs permission to reach that server.', false);
  try {
    await chrome.storage.local.set({ serverUrl: server.url, apiToken });
  } catch (error) {
    return show(`Could not save: ${error?.message ?? error}`, false);
  }
  urlInput.value = server.url;
  await ask(MSG.CLEAR_CACHE);
  show('Saved.', true);
});

document.getElementById('test').addEventListener('click', async () => {
  const { server, apiToken } = readForm();
  if (!server.ok) return show(server.error, false);
  if (!(await ensurePermission(server))) return show('microscout needs permission to reach that server.', false);
  show('Testing…', true);
  const answer = await ask(MSG.TEST_CONNECTION, { serverUrl: server.url, apiToken });
  if (answer.ok) {
    const niches = answer.niches === null ? '' : `, ${answer.niches} niche${answer.niches === 1 ? '' : 's'}`;
    return show(
      `Connected: server ${answer.health.version} is ${answer.health.status}, token accepted${niches}.`,
      true,
    );
  }
  const { title, hint } = describe(answer);
  const where = answer.step === 'token' ? 'The server answers, but: ' : '';
  return show(`${where}${title}. ${hint}`.trim(), false);
});

document.getElementById('clear').addEventListener('click', async () => {
  const answer = await ask(MSG.CLEAR_CACHE);
  show(answer.ok ? 'Cached scores forgotten.' : describe(answer).title, answer.ok);
});

document.getElementById('reveal').addEventListener('click', (event) => {
  const shown = tokenInput.type === 'text';
  tokenInput.type = shown ? 'password' : 'text';
  event.currentTarget.textContent = shown ? 'Show' : 'Hide';
  event.currentTarget.setAttribute('aria-pressed', String(!shown));
});

readSettings().then(
  (settings) => {
    urlInput.value = settings.serverUrl || DEFAULTS.serverUrl;
    tokenInput.value = settings.apiToken;
  },
  (error) => show(`Could not read the settings: ${error?.message ?? error}`, false),
);
