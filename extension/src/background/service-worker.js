// The service worker: the only code in microscout that uses the network, and only to reach the
// user's own server. Listeners are registered at the top level (the worker is evicted and woken
// by events); all state lives in chrome.storage.

import { STATE, failure } from '../shared/messages.js';
import { contentHandlers, forgetTab, pageHandlers } from './handlers.js';

const PLATFORM_ORIGINS = new Set(['https://www.instagram.com', 'https://www.tiktok.com', 'https://www.youtube.com']);

/** Which handler map a sender may use: extension pages get all, our content scripts the content ones. */
export function handlersFor(sender) {
  if (sender.id !== chrome.runtime.id) return null;
  const extensionOrigin = new URL(chrome.runtime.getURL('')).origin;
  const origin = sender.origin ?? (sender.url ? new URL(sender.url).origin : '');
  if (origin === extensionOrigin) return pageHandlers;
  if (sender.tab && PLATFORM_ORIGINS.has(origin)) return contentHandlers;
  return null;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handlers = handlersFor(sender);
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
