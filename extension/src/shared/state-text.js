// Calm, human words for each state a request can end in; shared by the overlay, popup and options.

import { STATE } from './messages.js';

const TEXT = {
  [STATE.NOT_CONFIGURED]: { title: 'Not set up yet', hint: 'Add your server address and API token in the options.' },
  [STATE.NO_PERMISSION]: {
    title: 'Server not allowed yet',
    hint: 'Open the options and allow microscout to reach your server.',
  },
  [STATE.OFFLINE]: { title: 'Server offline', hint: 'Start it with `make run` (or `microscout serve`), then retry.' },
  [STATE.UNAUTHORIZED]: { title: 'Token not accepted', hint: 'Check the API token in the options.' },
  [STATE.RATE_LIMITED]: { title: 'Slowing down', hint: 'The server asked for a pause; microscout retries by itself.' },
  [STATE.TIMEOUT]: { title: 'Server is slow to answer', hint: 'It may be busy (training?). Retry in a moment.' },
  [STATE.LOADING]: { title: 'Server is starting', hint: 'Its models are loading; microscout retries by itself.' },
  [STATE.REJECTED]: { title: 'The server refused this request', hint: '' },
  [STATE.SERVER_ERROR]: { title: 'The server had a problem', hint: 'Its log says more. Retry in a moment.' },
  [STATE.EXTENSION_ERROR]: { title: 'microscout needs a page reload', hint: 'The extension was updated or restarted.' },
};

/** {title, hint} for a failed answer; the server's own message wins for rejected requests. */
export function describe(answer) {
  const base = TEXT[answer?.state] ?? TEXT[STATE.EXTENSION_ERROR];
  if (answer?.state === STATE.REJECTED) return { title: base.title, hint: answer.message ?? '' };
  return base;
}
