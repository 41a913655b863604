// Popup: quick status of the server and of what the overlay in the current tab shows.

import { MSG, ask } from '../shared/messages.js';
import { describe } from '../shared/state-text.js';

const serverLine = document.getElementById('server');
const tabLine = document.getElementById('tab');

function line(element, text, ok) {
  element.textContent = text;
  if (ok === undefined) delete element.dataset.ok;
  else element.dataset.ok = String(ok);
}

function describeTab(tab) {
  if (!tab || tab.state === 'idle') return 'No creator page open here.';
  if (tab.state === 'chips') return "A scroll page: each post shows a chip with its creator's niche fit.";
  const who = tab.handle ? `@${tab.handle} on ${tab.platform}` : (tab.platform ?? 'this page');
  if (tab.state === 'ok') {
    const score = tab.overall === null ? 'no overall score' : `overall ${Math.round(tab.overall)}`;
    return `${who}: ${score}, ${tab.tier || 'unknown tier'}, ${tab.confidence || 'unknown'} confidence.`;
  }
  if (tab.state === 'degraded') return `${who}: capture degraded${tab.detail ? ` (${tab.detail})` : ''}.`;
  if (tab.state === 'scoring') return `${who}: scoring…`;
  return `${who}: ${describe({ state: tab.state, message: tab.detail }).title}.`;
}

async function refresh() {
  let tabId;
  try {
    const [active] = await chrome.tabs.query({ active: true, currentWindow: true });
    tabId = active?.id ?? null;
  } catch {
    tabId = null;
  }
  const status = await ask(MSG.STATUS, { tabId });
  if (!status.ok) {
    line(serverLine, describe(status).title, false);
    line(tabLine, '');
    return;
  }
  if (!status.hasToken) line(serverLine, `${status.serverUrl}: no API token set.`, false);
  else if (status.server.ok)
    line(serverLine, `${status.serverUrl}: ${status.server.status} (v${status.server.version}).`, true);
  else line(serverLine, `${status.serverUrl}: ${describe(status.server).title}.`, false);
  line(tabLine, describeTab(status.tab));
}

document.getElementById('options').addEventListener('click', () => {
  chrome.runtime.openOptionsPage().catch(() => line(serverLine, 'Could not open the options.', false));
});

refresh();
