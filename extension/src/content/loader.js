// The content script's entry. tools/bundle.py bundles it with everything it imports into
// content/bundle.js, one classic script, so no file of ours has to be web-accessible (a page
// could fetch such a file to tell that microscout is installed).
//
// It runs at document_start, right after the page hook and before any page script, and takes the
// hook's private channel now, synchronously: later, page script could be listening.

import { connectHook } from './hook-bridge.js';
import { start } from './content-main.js';

try {
  start({ hookPort: connectHook() });
} catch (error) {
  // An overlay that cannot start must never break the page; say why in the console only.
  console.warn('microscout: could not start', error);
}
