// The service worker: the only code in microscout that uses the network, and only to reach the
// user's own server. Listeners are registered at the top level (the worker is evicted and woken
// by events); all state lives in chrome.storage.

import { STATE, failure } from '../shared/messages.js';
import { forgetTab, handlersFor } from './handlers.js';

const EXTENSION = { id: chrome.runtime.id, origin: new URL(chrome.runtime.getURL('')).origin };

// The token is for this worker and our own pages: content scripts run next to page script, so
// they may not read chrome.storage.local (session storage is trusted-only by default). Chrome keeps
// the level in the profile; setting it at every start also covers profiles from older versions.
chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch((error) => {
  console.warn('microscout: could not keep the settings from content scripts', error);
});

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handlers = handlersFor(sender, EXTENSION);
  const type = message && typeof message === 'object' ? message.type : undefined;
  const handler = handlers && Object.hasOwn(handlers, type) ? handlers[type] : null;
  if (!handler) {
    sendResponse(failure(STATE.REJECTED, `Message type '${String(type)}' is not allowed from here.`));
    return false;
  }
  Promise.resolve()
    .then(() => handler(message, sender))
    .then(sendResponse, (error) => {
      sendResponse(failure(STATE.EXTENSION_ERROR, `microscout hit a problem: ${error?.message ?? error}`));
    });
  return true; // the answer comes asynchronously
});

chrome.tabs.onRemoved.addListener((tabId) => {
  forgetTab(tabId).catch(() => undefined);
});
