import test from 'node:test';
import assert from 'node:assert/strict';

import { trusted } from '../../src/overlay/shadow.js';

test('trusted: an event made by script (isTrusted false) never reaches the listener', () => {
  const heard = [];
  const button = new EventTarget();
  button.addEventListener(
    'click',
    trusted((event) => heard.push(event)),
  );
  button.dispatchEvent(new Event('click')); // what element.click() or dispatchEvent from page script makes
  assert.deepEqual(heard, []);
});

test('trusted: a trusted event reaches the listener, with its this and return value', () => {
  const target = { name: 'save' };
  const listener = trusted(function onClick(event) {
    return `${this.name}:${event.type}`;
  });
  assert.equal(listener.call(target, { isTrusted: true, type: 'click' }), 'save:click');
  assert.equal(listener.call(target, { isTrusted: 'yes', type: 'click' }), undefined, 'only the boolean true counts');
  assert.equal(listener.call(target, undefined), undefined);
});
